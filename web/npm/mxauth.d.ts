// Types of the npm package "mxauth", hand-written to match the API the
// package's README describes (web/test/e2e/types.test.mjs compares them with
// the running API in Chromium).

/** The stable error codes (README: Errors). */
export type MxAuthErrorCode =
  | "invalid_input" | "discovery_failed" | "not_a_homeserver" | "oauth_unsupported"
  | "metadata_invalid" | "registration_failed" | "no_pending_login" | "state_mismatch"
  | "authorization_denied" | "token_exchange_failed" | "id_token_invalid" | "session_expired"
  | "not_found" | "forbidden" | "rate_limited" | "server_error" | "network" | "timeout" | "storage"
  | "device_code_expired";

/** Every failure of mxauth rejects with an MxAuthError. */
export declare class MxAuthError extends Error {
  constructor(code: MxAuthErrorCode, message: string,
    extra?: { status?: number; errcode?: string; retryAfterMs?: number; details?: Record<string, unknown> });
  readonly name: "MxAuthError";
  code: MxAuthErrorCode;
  /** HTTP status, where known. */
  status?: number;
  /** The Matrix or OAuth error code of the server. */
  errcode?: string;
  retryAfterMs?: number;
  details?: Record<string, unknown>;
}

export interface ServerInfo {
  serverName: string;
  /** Without trailing slash. */
  baseUrl: string;
  versions: string[];
  unstableFeatures: Record<string, boolean>;
  identityServer?: string;
  oauth: null | {
    issuer: string; authorizationEndpoint: string; tokenEndpoint: string;
    registrationEndpoint?: string; revocationEndpoint?: string; accountManagementUri?: string;
    accountManagementActions: string[]; promptValues: string[];
    source: "stable" | "unstable" | "issuer";
  };
  login: null | {
    flows: string[]; oauthAwarePreferred: boolean;
    /** The m.login.sso flow's identity providers (legacy SSO servers), when it lists any. */
    identityProviders?: IdentityProvider[];
  };
  hints: {
    /** For example "Continue with matrix.org". */
    continueWith: string;
    /** The server supports prompt=create. */
    showCreateAccount: boolean;
    /** False whenever the server delegates to OAuth. */
    showPasswordForm: boolean;
    /**
     * A server without OAuth 2.0 whose SSO lists two or more identity providers: one button each,
     * instead of continueWith's; pass `idp` to login().
     */
    providers?: { idp: string; name: string; icon?: string; label: string }[];
    /**
     * Why there is no sign-in button ("" when there is one): "password_only" (the server signs in
     * with a password only, which mxauth never asks for) or "no_flow" (nothing a person could sign
     * in with). <mxauth-login> raises mxauth-error oauth_unsupported with this as details.reason.
     */
    unavailable: "" | "password_only" | "no_flow";
    /** The same in plain words, naming the server ("" when there is a button): what the element shows. */
    explanation: string;
  };
}

/** An identity provider of a homeserver's m.login.sso flow. */
export interface IdentityProvider {
  id: string; name: string;
  /** mxc:// URI. */
  icon?: string; brand?: string;
}

/**
 * A session as the page sees it: never a token. `accessToken()` is the one
 * way to the access token; the refresh token never leaves the library (not
 * in `session()`, events, errors or DOM events), since any script on the
 * page can read those.
 */
export interface Session {
  /**
   * "legacy" for a session of a server without OAuth 2.0, signed in through its SSO (then issuer
   * is the homeserver's base URL, clientId is empty, and a server may grant no expiry: the token
   * is used until the server refuses it); absent for OAuth 2.0.
   */
  kind?: "legacy";
  userId: string; deviceId: string; serverName: string; baseUrl: string;
  issuer: string; clientId: string; scope: string[];
  /** When the current access token expires, in milliseconds since the epoch. */
  expiresAt?: number;
  /** The account management page, when the server has one. */
  accountUrl?: string;
  idTokenClaims?: Record<string, unknown>;
  /** Beyond the contract: the lifetime the server granted the access token (ms). */
  lifetimeMs?: number;
  /** Beyond the contract: the server's account management URI and the actions it lists. */
  accountManagementUri?: string;
  accountManagementActions?: string[];
  /** Beyond the contract: a loopback server reached over plain http. */
  insecure?: boolean;
}

export interface RoomSummary {
  roomId: string; canonicalAlias?: string; name?: string; topic?: string;
  /** mxc:// as the server gave it. */
  avatarUrl?: string;
  numJoinedMembers: number; joinRule?: string; guestCanJoin: boolean; worldReadable: boolean;
  roomType?: string; roomVersion?: string; encryption?: string; membership?: string;
  via: string[]; matrixToUrl: string;
  source: "room_summary" | "unstable_summary" | "hierarchy" | "public_rooms";
  /** Beyond the contract: what a room card shows, decided by mxauth (the same in every renderer). */
  view: RoomCardView;
}

/** What <mxauth-room-card> draws for a summary. */
export interface RoomCardView {
  /** The name, else the canonical alias, else the room id. */
  title: string;
  /** Up to two initials, one character each. */
  initials: string;
  /** The placeholder avatar's colour, "#rrggbb". */
  color: string;
  /** The short member count, as the badge writes it: "12k members". */
  members: string;
  /** The exact count: "12,345 joined". */
  membersTitle: string;
}

export interface LoadOptions {
  /** Where mxauth.wasm (the small build: discovery, sign-in start, rooms, session()) lives; default: next to the loader module. */
  wasmUrl?: string | URL;
  /**
   * Where session.wasm (the session build: completeLogin, accessToken, logout, accountUrl) lives;
   * default: next to wasmUrl. It starts only when one of those is called, on the page the server
   * redirects back to, or when a session is stored.
   */
  sessionWasmUrl?: string | URL;
  /** Default "indexeddb". */
  storage?: StorageMode;
  /** Per-request timeout; default 15000. */
  timeoutMs?: number;
}

export interface ClientMetadata {
  name: string; uri: string; logoUri?: string; tosUri?: string; policyUri?: string; contacts?: string[];
}

export interface LoginOptions {
  server: string | ServerInfo;
  redirectUri: string;
  client: ClientMetadata;
  clientId?: string;
  action?: "login" | "register";
  /**
   * The device to sign in on. Left out, a login asks for the device of this server's last
   * session that ended in this browser (logout(), or a session_expired refresh), so signing out
   * and in again does not add a device, unless loginHint names another user; "new" always asks
   * for a new device; any other value (at least 10 characters) is that device id.
   */
  deviceId?: string;
  loginHint?: string;
  uiLocales?: string | string[];
  responseMode?: "fragment" | "query";
  /**
   * Your own state (a deep link, a returnTo): any JSON value up to 8 KiB, kept with the pending
   * login (never in the URL) and handed back by completeLogin(). Check a returnTo before you
   * navigate there: it is data, not a trusted address.
   */
  state?: unknown;
  /**
   * On a server without OAuth 2.0 that signs in through SSO: the identity provider to go to (an id
   * of hints.providers / login.identityProviders). Left out, the server lets the person choose.
   */
  idp?: string;
  /**
   * login() only: sign in in a popup window (opened inside the click) instead of leaving the page;
   * login() then resolves to the Session. Its redirectUri may be this page or the package's
   * callback.html. Closing it rejects with authorization_denied (details.reason "popup_closed").
   */
  popup?: boolean;
  /** With popup: "redirect" signs in by redirect when the browser blocks the popup (else: popup_blocked). */
  popupFallback?: "redirect";
}

/** startDeviceLogin's options: the device authorization grant (RFC 8628) has no redirect. */
export interface DeviceLoginOptions {
  server: string | ServerInfo;
  client: ClientMetadata;
  clientId?: string;
  deviceId?: string;
}

/** A started device login: show userCode and verificationUri (or qrSvg), then waitDeviceLogin(it). */
export interface DeviceLogin {
  userCode: string;
  verificationUri: string;
  verificationUriComplete?: string;
  /** When the code expires, in milliseconds since the epoch. */
  expiresAt: number;
  /** How often the server is asked (ms). */
  intervalMs: number;
  deviceId: string;
  serverName: string;
  /** An SVG document of the QR code of verificationUriComplete (or verificationUri); "" when too long. */
  qrSvg: string;
  /** Names this login for waitDeviceLogin (the device code itself never leaves the library). */
  handle: string;
}

/** What completeLogin() resolves to. */
export interface Completion<S = unknown> {
  session: Session;
  /** The state login({ state }) carried; null when none. */
  state: S | null;
}

export interface RoomOptions {
  /** A base URL or a server name to ask. */
  server?: string;
  via?: string | string[];
  signal?: AbortSignal;
}

export interface BadgeOptions extends RoomOptions {
  label?: string;
  style?: "flat" | "dark" | (string & {});
}

export type AccountAction =
  | "org.matrix.profile" | "org.matrix.devices_list" | "org.matrix.device_view" | "org.matrix.device_delete"
  | "org.matrix.account_deactivate" | "org.matrix.cross_signing_reset"
  | "org.matrix.sessions_list" | "org.matrix.session_view" | "org.matrix.session_end";

/** What an API listener is called with: one plain object {type, detail} (not a DOM Event). */
export interface MxAuthEvent<K extends string, D> {
  readonly type: K;
  readonly detail: D;
}

/** The events of the API object (mx.addEventListener). */
export interface MxAuthEventMap {
  /** After a sign-in, refresh or sign-out in this tab or another; null when signed out. */
  session: MxAuthEvent<"session", Session | null>;
  /** A failure outside any call (a change announced by another tab that could not be read). */
  error: MxAuthEvent<"error", MxAuthError>;
  /** IndexedDB was asked for and memory is used; sent once to each listener, also to late ones. */
  storage: MxAuthEvent<"storage", MxAuthError>;
}

/** The storage a session is kept in. */
export type StorageMode = "indexeddb" | "memory";

/** The API of both builds, as one object. Every method returns a Promise that rejects with MxAuthError. */
export interface MxAuth {
  discover(input: string, opts?: { signal?: AbortSignal }): Promise<ServerInfo>;
  startLogin(opts: LoginOptions): Promise<{ url: string }>;
  /** Leaves the page for the sign-in (never resolves); with popup: true resolves to the Session. */
  login(opts: LoginOptions & { popup: true }): Promise<Session>;
  login(opts: LoginOptions): Promise<never>;
  /** The device authorization grant: a code to approve on another device (TVs, kiosks, shared screens). */
  startDeviceLogin(opts: DeviceLoginOptions): Promise<DeviceLogin>;
  /** Polls until approved (device_code_expired, authorization_denied otherwise); fires "session". */
  waitDeviceLogin(login: DeviceLogin | string, opts?: { signal?: AbortSignal }): Promise<Session>;
  /** A second call for the same callback in this page resolves to the first one's result. */
  completeLogin<S = unknown>(url?: string): Promise<Completion<S>>;
  session(): Promise<Session | null>;
  accessToken(opts?: { minValidityMs?: number }): Promise<string>;
  logout(): Promise<void>;
  accountUrl(opts?: { action?: AccountAction; deviceId?: string }): Promise<string | null>;
  roomSummary(room: string, opts?: RoomOptions): Promise<RoomSummary>;
  /** An SVG document as text. */
  roomBadge(room: string, opts?: BadgeOptions): Promise<string>;
  /**
   * A room or user avatar (mxc://) fetched through the session's homeserver with its token
   * (authenticated media) as a Blob for URL.createObjectURL; the token stays in the library.
   * null when nobody is signed in or `server` names another homeserver than the session's.
   * Width and height default to 96. Starts session.wasm: ask session() first on a signed-out page.
   */
  thumbnail(mxc: string, opts?: { width?: number; height?: number; server?: string }): Promise<Blob | null>;
  /** Adding the same fn twice keeps one, as the DOM does. */
  addEventListener<K extends keyof MxAuthEventMap>(type: K, fn: (ev: MxAuthEventMap[K]) => void): void;
  removeEventListener<K extends keyof MxAuthEventMap>(type: K, fn: (ev: MxAuthEventMap[K]) => void): void;
  /** The storage really in use: "memory" when IndexedDB was asked for and could not be opened. */
  readonly storage: StorageMode;
  /** Why IndexedDB was not used (code "storage"), or null. */
  readonly storageWarning: MxAuthError | null;
}

/**
 * Starts the small build once per page and resolves as soon as it answers; the session build starts
 * when a method needs it, on a callback page or when a session is stored. Registers the custom
 * elements. A later call with other options warns and returns the first API.
 */
export declare function load(opts?: LoadOptions): Promise<MxAuth>;

/** The room-only API of the small mxauth.wasm (mxauth/preview). */
export interface MxAuthPreview {
  roomSummary(room: string, opts?: RoomOptions): Promise<RoomSummary>;
  roomBadge(room: string, opts?: BadgeOptions): Promise<string>;
}

/** `mxauth-error` of every element: bubbles, composed; detail is the MxAuthError. */
export interface MxAuthErrorEvent extends CustomEvent<MxAuthError> {}
/** `mxauth-session` of <mxauth-login> after it finished a sign-in: bubbles, composed. */
export interface MxAuthSessionEvent extends CustomEvent<Session> {}

/** light or dark fixes the elements' look; auto (the default) follows the system. */
export type MxAuthTheme = "light" | "dark" | "auto";

/** The attributes of <mxauth-room-card> (all strings; via is a space- or comma-separated list). */
export interface MxAuthRoomCardAttributes { room?: string; server?: string; via?: string; theme?: MxAuthTheme }
/** The attributes of <mxauth-room-badge>. */
export interface MxAuthRoomBadgeAttributes extends MxAuthRoomCardAttributes { label?: string }
/** The attributes of <mxauth-login>; server-locked is a boolean attribute (present or not). */
export interface MxAuthLoginAttributes {
  server?: string; "redirect-uri"?: string; "client-name"?: string; "client-uri"?: string;
  "logo-uri"?: string; "tos-uri"?: string; "policy-uri"?: string; "client-id"?: string;
  "server-locked"?: boolean | "";
  /** "page": the page calls completeLogin() on the callback; the element follows the session event. */
  callback?: "element" | "page";
  /** Sign in in a popup window (boolean attribute); the page stays. */
  popup?: boolean | "";
  /** "device": a code and QR code to approve on a phone (TVs, kiosks); needs server. */
  mode?: "redirect" | "device";
  theme?: MxAuthTheme;
}
/** <mxauth-session>: only the theme. */
export interface MxAuthSessionAttributes { theme?: MxAuthTheme }

/** <mxauth-room-card room server via> */
export interface MxAuthRoomCardElement extends HTMLElement {
  /** The last summary shown, or null while loading or after an error. */
  readonly summary: RoomSummary | null;
}
/** <mxauth-room-badge room server label> */
export interface MxAuthRoomBadgeElement extends HTMLElement {}
/** <mxauth-login server redirect-uri client-name client-uri logo-uri tos-uri policy-uri client-id server-locked callback theme> */
export interface MxAuthLoginElement extends HTMLElement {
  /** Carried through the redirect with the sign-in this element starts: completeLogin() hands it back. */
  state?: unknown;
}
/** <mxauth-session> */
export interface MxAuthSessionElement extends HTMLElement {}

declare global {
  interface HTMLElementTagNameMap {
    "mxauth-room-card": MxAuthRoomCardElement;
    "mxauth-room-badge": MxAuthRoomBadgeElement;
    "mxauth-login": MxAuthLoginElement;
    "mxauth-session": MxAuthSessionElement;
  }
  interface HTMLElementEventMap {
    "mxauth-error": MxAuthErrorEvent;
    "mxauth-session": MxAuthSessionEvent;
  }
}
