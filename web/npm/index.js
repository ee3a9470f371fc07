// mxauth: the JS API (README: The API) over two builds: the small
// mxauth.wasm answers first; session.wasm starts when a method needs it
// (SESSION), on a callback page, or when a session is stored.
import { run, envOf, smallURL, viteDeps, setMain, mainAPI, asError, isCallback, transient, handOver, POPUP, MxAuthError } from "./runtime.js";

export { MxAuthError };

// The session build, next to this module (literal, for bundlers).
const sessionURL = () => new URL("./session.wasm", import.meta.url);

/** SESSION are the methods of the session build (x/oauth2, go-oidc). */
const SESSION = ["completeLogin", "accessToken", "logout", "accountUrl", "startDeviceLogin", "waitDeviceLogin", "thumbnail"];

let first; // {key, p}: the first load()'s options and API Promise
let tell = () => {}; // tell(type, detail) calls the API's listeners of type

/**
 * load starts the small build once per page and resolves to the API as soon
 * as it answers; it also registers the custom elements (README: Sign-in).
 * A later call with other options warns and returns the first API.
 */
export function load(opts = {}) {
  // The popup of a popup sign-in hands its answer to the page that opened
  // it and closes: nothing to start here.
  if (handOver()) return new Promise(() => {});
  const { storage } = opts;
  if (storage != null && storage !== "indexeddb" && storage !== "memory") {
    return Promise.reject(new MxAuthError("invalid_input", `mxauth: storage must be "indexeddb" or "memory", not ${JSON.stringify(storage)}`));
  }
  const key = JSON.stringify(["wasmUrl", "sessionWasmUrl", "storage", "timeoutMs"].map((k) => opts[k] == null ? null : String(opts[k])));
  if (first && mainAPI() === first.p) {
    if (key !== first.key) {
      const e = new MxAuthError("invalid_input", "mxauth: load() was called again with other options; the first call's are kept " +
        "(an element may have called it with the defaults: call load() before the elements connect)", { details: { reason: "load_options_ignored" } });
      console.warn(e.message);
      first.p.then(() => tell("error", e), () => {});
    }
    return first.p;
  }
  const p = Promise.all([compose(opts), import("./elements.js")]).then(([api]) => api);
  first = { key, p };
  setMain(p);
  return p;
}

// compose makes the one API object over the two roles.
async function compose({ wasmUrl, sessionWasmUrl, storage, timeoutMs }) {
  const env = envOf({ timeoutMs, storage });
  const here = globalThis.location?.href;
  const smallAt = new URL(wasmUrl || smallURL(), here);
  // session.wasm: given, or next to a given wasmUrl, or next to this module.
  const sessionAt = sessionWasmUrl ? new URL(sessionWasmUrl, here) : wasmUrl ? new URL("session.wasm", smallAt) : sessionURL();
  const smallRetry = wasmUrl ? null : viteDeps("mxauth.wasm");
  const sessionRetry = wasmUrl || sessionWasmUrl ? null : viteDeps("session.wasm");
  let small, session, sessionAPI; // the small build's API; the session build's Promise, and its API once ready
  const listeners = []; // [type, fn, wrapped]
  tell = (type, detail) => { for (const [t, , w] of listeners) if (t === type) w({ type, detail }); };
  // The session build, once running, tells every change (its own, other
  // tabs'): the listeners move to it from the small build.
  const startSession = () => session ||= run(sessionAt, env, sessionRetry).then((a) => {
    for (const [type, , w] of listeners) {
      if (type === "storage") continue;
      a.addEventListener(type, w);
      small?.removeEventListener(type, w);
    }
    return (sessionAPI = a);
  }, (e) => { session = null; throw e; });
  // A callback page, and a page of an origin that had a session last time
  // (a hint in localStorage, never a secret), start the session build
  // alone: it serves the whole API, so the small one is not fetched.
  const remember = storage === "memory" ? () => {} : setHint;
  const early = isCallback() || (storage !== "memory" && hint());
  small = await (early ? startSession().catch(() => run(smallAt, env, smallRetry)) : run(smallAt, env, smallRetry));
  // Else a stored session will want tokens: start the session build once
  // the page's first calls (made when load() resolves) are on their way.
  if (small !== sessionAPI) setTimeout(() => small.session().then((s) => { remember(s); if (s) startSession(); }).catch(() => {}));

  const out = {};
  // A method of SESSION goes to the session build (starting it); any other
  // to the session build when it already runs (it holds the session, also
  // in memory storage), else to the small one.
  for (const name of new Set([...Object.keys(small), ...SESSION])) {
    if (/EventListener$/.test(name)) continue;
    if (typeof small[name] === "function" || SESSION.includes(name)) {
      out[name] = async (...args) => {
        try {
          const a = SESSION.includes(name) ? await startSession() : sessionAPI?.[name] ? sessionAPI : small;
          if (typeof a[name] !== "function") {
            throw new MxAuthError("invalid_input", `mxauth: ${name} is not in this build`, { details: { reason: "unsupported" } });
          }
          return await a[name](...args);
        } catch (e) { throw asError(e); }
      };
    } else {
      Object.defineProperty(out, name, { enumerable: true, get: () => small[name] });
    }
  }
  // completeLogin: a second call for the same callback in this page gets the
  // first one's outcome (an element and the page may both call it; with no
  // argument after the address bar was cleaned, it means the page's own
  // callback). A transient failure is forgotten, so a retry goes out.
  const done = new Map(), complete = out.completeLogin;
  let own;
  out.completeLogin = (url) => {
    if (url == null && own && !isCallback()) return own;
    const key = String(url ?? globalThis.location?.href);
    let p = done.get(key);
    if (!p) {
      done.set(key, p = complete(url));
      p.catch((e) => { if (transient(e)) done.delete(key); });
    }
    if (url == null) own = p;
    return p;
  };
  // login({ popup: true }): the popup opens now, inside the click (no
  // blocker stops it); popup.js does the rest.
  const redirect = out.login;
  out.login = (opts = {}) => {
    if (!opts?.popup) return redirect(opts);
    const { popup, popupFallback, ...rest } = opts;
    const w = globalThis.open?.("about:blank", POPUP, "popup,width=480,height=720");
    if (!w && popupFallback === "redirect") return redirect(rest);
    // The session build completes the answer: fetch it meanwhile; in memory
    // storage the login must start there too, where it is kept.
    const s = w && startSession();
    s?.catch(() => {});
    return Promise.all([import("./popup.js"), storage === "memory" && s])
      .then(([m]) => m.signInIn(w, out, rest), (e) => { w?.close(); throw asError(e); });
  };
  // A "session" event reaches a listener only when the session differs from
  // the last one it heard: a change told around the hand-over is told once.
  out.addEventListener = (type, fn) => {
    if (typeof fn !== "function" || listeners.some(([t, f]) => t === type && f === fn)) return;
    let last;
    const w = type !== "session" ? fn : (e) => {
      const j = JSON.stringify(e?.detail ?? null);
      if (j !== last) { last = j; fn(e); }
    };
    listeners.push([type, fn, w]);
    (type === "storage" ? small : sessionAPI || small).addEventListener(type, w);
  };
  out.removeEventListener = (type, fn) => {
    const i = listeners.findIndex(([t, f]) => t === type && f === fn);
    if (i < 0) return;
    const [[, , w]] = listeners.splice(i, 1);
    for (const a of new Set([small, sessionAPI])) a?.removeEventListener(type, w);
  };
  if (early) setTimeout(() => out.session().then(remember, () => {}));
  out.addEventListener("session", (e) => remember(e.detail));
  return Object.freeze(out);
}

// The hint that this origin has a stored session (see compose).
const HINT = "mxauth:signed-in";
function hint() {
  try { return globalThis.localStorage?.getItem(HINT) === "1"; } catch { return false; }
}
function setHint(s) {
  try { if (s) localStorage.setItem(HINT, "1"); else localStorage.removeItem(HINT); } catch { /* no localStorage */ }
}
