// The host page of loader.test.mjs: load() with the defaults beside the
// login, session and room card elements; it keeps what the API and the
// elements say.
import { load } from "/npm/index.js";

const seen = (globalThis.hostSeen = { sessions: [], apiSessions: [], errors: [] });
document.addEventListener("mxauth-session", (e) => seen.sessions.push(e.detail));
document.addEventListener("mxauth-error", (e) => seen.errors.push({ code: e.detail.code, message: e.detail.message }));
globalThis.hostMx = load();
globalThis.hostMx.then((mx) => mx.addEventListener("session", (e) => seen.apiSessions.push(e.detail?.userId ?? null)));
