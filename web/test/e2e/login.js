// The host page's own script: start mxauth.wasm (load() also registers the
// elements) and keep what the elements say, for the tests to read.
import { load } from "/npm/index.js";

// As any script on a page could (analytics, session replay), it listens on
// document for the elements' bubbling mxauth-session event and to every
// "session" event of the API: what they carry must never be a token.
const seen = (globalThis.hostSeen = { sessions: [], errors: [], mxSessions: [] });
document.addEventListener("mxauth-session", (e) => seen.sessions.push(e.detail));
document.addEventListener("mxauth-error", (e) => seen.errors.push({ code: e.detail.code, message: e.detail.message, name: e.detail.name }));
globalThis.hostMx = load();
globalThis.hostMx.then((mx) => mx.addEventListener("session", (e) => seen.mxSessions.push(e.detail)), () => {});
