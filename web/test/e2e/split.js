// The host page of loader.test.mjs: load() with the session role on its
// own file (the suite serves a copy of mxauth.wasm as session.wasm), as
// it will be once issue 11 splits the builds; it keeps what the API and
// the elements say.
import { load } from "/npm/index.js";

const seen = (globalThis.hostSeen = { sessions: [], apiSessions: [], errors: [] });
document.addEventListener("mxauth-session", (e) => seen.sessions.push(e.detail));
document.addEventListener("mxauth-error", (e) => seen.errors.push({ code: e.detail.code, message: e.detail.message }));
globalThis.hostMx = load({ sessionWasmUrl: "/npm/session.wasm" });
globalThis.hostMx.then((mx) => mx.addEventListener("session", (e) => seen.apiSessions.push(e.detail?.userId ?? null)));
