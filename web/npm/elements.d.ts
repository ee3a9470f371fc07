// "mxauth/elements": importing it defines <mxauth-login>, <mxauth-session>,
// <mxauth-room-card> and <mxauth-room-badge> in a browser, nothing on a server.
// document.querySelector("mxauth-login") is typed (HTMLElementTagNameMap), and so
// are their mxauth-error / mxauth-session events; JSX types: "mxauth/react".
export type {
  MxAuthRoomCardElement, MxAuthRoomBadgeElement, MxAuthLoginElement, MxAuthSessionElement,
  MxAuthRoomCardAttributes, MxAuthRoomBadgeAttributes, MxAuthLoginAttributes, MxAuthSessionAttributes,
  MxAuthErrorEvent, MxAuthSessionEvent,
} from "./mxauth.js";
/** A sentence a person can act on for an MxAuthError (what <mxauth-login> shows). */
export declare function explain(error: import("./mxauth.js").MxAuthError, server?: string): string;
