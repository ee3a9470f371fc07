// The host page's own script: start mxauth.wasm (load() also registers the
// elements) and keep what the elements say, for the tests to read.
import { load } from "/npm/index.js";

const seen = (globalThis.hostSeen = { sessions: [], errors: [] });
document.addEventListener("mxauth-session", (e) => seen.sessions.push(e.detail));
document.addEventListener("mxauth-error", (e) => seen.errors.push({ code: e.detail.code, message: e.detail.message, name: e.detail.name }));
globalThis.hostMx = load();
