// A TypeScript consumer of the package's hand-written types; `tsc --noEmit`
// checks it against web/npm/*.d.ts (see package.test.mjs).
import { load, MxAuthError, type ServerInfo, type Session, type RoomSummary, type MxAuth } from "mxauth";
import { load as loadPreview, type MxAuthPreview } from "mxauth/preview";
import "mxauth/elements";

async function main(): Promise<void> {
  const mx: MxAuth = await load({ wasmUrl: "/mxauth.wasm", storage: "memory", timeoutMs: 5000 });
  const info: ServerInfo = await mx.discover("matrix.org", { signal: new AbortController().signal });
  const label: string = info.hints.continueWith;
  const create: boolean = info.hints.showCreateAccount && info.oauth !== null;
  if (info.hints.unavailable === "password_only") console.log(info.hints.explanation);
  // @ts-expect-error: not a reason the hints give
  if (info.hints.unavailable === "no_oauth") console.log("renamed no_flow");
  const { url } = await mx.startLogin({ server: info, redirectUri: location.href,
    client: { name: "Example", uri: "https://example.org" }, action: create ? "register" : "login" });
  const session: Session | null = await mx.session();
  const token: string = await mx.accessToken({ minValidityMs: 60000 });
  const account: string | null = await mx.accountUrl({ action: "org.matrix.devices_list" });
  const s: RoomSummary = await mx.roomSummary("#room:example.org", { via: ["example.org"] });
  const svg: string = await mx.roomBadge(s.roomId, { label: "chat", style: "flat" });
  const onSession = ({ detail }: { detail: Session | null }) => console.log(detail?.userId ?? "signed out");
  mx.addEventListener("session", onSession);
  mx.removeEventListener("session", onSession);
  mx.addEventListener("storage", ({ detail }) => console.log(detail.code));
  mx.addEventListener("error", (ev) => console.log(ev.type, ev.detail.message));
  const mode: "indexeddb" | "memory" = mx.storage;
  if (mx.storageWarning) console.log(mx.storageWarning.code, mode);
  // @ts-expect-error: no such event
  mx.addEventListener("sessions", () => {});
  await mx.logout();
  void [label, url, session?.userId, token, account, svg, s.numJoinedMembers + 1];

  const p: MxAuthPreview = await loadPreview({ timeoutMs: 1000 });
  await p.roomSummary("!id:example.org", { server: "https://example.org" });

  try {
    const { session, state } = await mx.completeLogin<{ returnTo: string }>();
    console.log(session.userId, state?.returnTo);
  } catch (e) {
    if (e instanceof MxAuthError && e.code === "no_pending_login") console.log(e.status, e.errcode, e.retryAfterMs, e.details);
  }
  const card = document.createElement("mxauth-room-card");
  card.setAttribute("room", "#room:example.org");
  card.addEventListener("mxauth-error", (ev) => console.log(ev.detail.code));
  document.querySelector("mxauth-login")?.addEventListener("mxauth-session", (ev) => console.log(ev.detail.userId));
  const summary: RoomSummary | null = card.summary;
  void summary;
  if (session) {
    const until: number | undefined = session.expiresAt;
    const page: string | undefined = session.accountUrl;
    void [until, page];
    // @ts-expect-error: a page's Session never carries a token (issue 12)
    void session.accessToken;
    // @ts-expect-error: nor the refresh token
    void session.refreshToken;
    // @ts-expect-error: nor the token endpoint
    void session.tokenEndpoint;
  }
  // @ts-expect-error: not an error code of CONTRACT.md
  const bad: MxAuthError["code"] = "nope";
  void bad;
}
void main;
