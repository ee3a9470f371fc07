// Internal to the mxauth package: starting a Go WASM program once per page
// and the error class. index.js, preview.js and elements.js share this
// module, so each build runs at most once whoever asks for it.

/** MxAuthError is the one error class of mxauth (README: Errors). */
export class MxAuthError extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.name = "MxAuthError";
    this.code = code;
    for (const k of ["status", "errcode", "retryAfterMs", "details"]) {
      if (extra[k] !== undefined) this[k] = extra[k];
    }
  }
}

// asError turns what Go rejects with (an Error shaped like MxAuthError)
// into an MxAuthError instance, so `instanceof` works for the page.
export function asError(e) {
  if (e instanceof MxAuthError) return e;
  if (e && typeof e === "object" && e.name === "MxAuthError" && e.code) {
    const out = new MxAuthError(e.code, e.message, e);
    if (e.stack) out.stack = e.stack;
    return out;
  }
  return new MxAuthError("server_error", String((e && e.message) || e), { details: { reason: "internal" } });
}

// Whether the auth server answered the last accessToken call (the elements
// say "Offline — will retry"): network, timeout, 5xx and 429 keep the
// session; anything else means the server answered.
const linkFns = new Set();
/** onLink calls fn with the MxAuthError of a transient failure, or null once an answer came. */
export const onLink = (fn) => { linkFns.add(fn); return () => linkFns.delete(fn); };
export const transient = (e) => /^(network|timeout|server_error|rate_limited)$/.test(e?.code) ? e : null;
export function report(e) { for (const fn of linkFns) fn(transient(e)); }

// wrapAPI returns an object whose methods turn every rejection into an
// MxAuthError; non-function properties are read through (a build may
// update them once its storage is open).
export function wrapAPI(api) {
  const out = {};
  for (const key of Object.keys(api)) {
    const v = api[key];
    if (typeof v !== "function") { Object.defineProperty(out, key, { enumerable: true, get: () => api[key] }); continue; }
    out[key] = /EventListener$/.test(key) ? v.bind(api) : (...args) => {
      try {
        const p = Promise.resolve(v.apply(api, args)).catch((e) => { throw asError(e); });
        if (key === "accessToken") p.then(() => report(null), report);
        return p;
      } catch (e) {
        return Promise.reject(asError(e));
      }
    };
  }
  return Object.freeze(out);
}

// callbackParams: the authorization response's parameters (query or
// fragment) of href, or null when it carries none.
function callbackParams(href) {
  const u = new URL(href);
  for (const s of [u.hash, u.search]) {
    const p = new URLSearchParams(s.slice(1));
    if (p.has("state") && (p.has("code") || p.has("error") || p.has("loginToken"))) return p;
  }
  return null;
}

/** isCallback says whether href carries an authorization response (code or error, or a legacy SSO loginToken, with state) in its query or fragment. */
export function isCallback(href = globalThis.location?.href) {
  return !!href && callbackParams(href) !== null;
}

// POPUP names a popup sign-in: the window's name, the message type, and the
// opener's set of the states its popups wait for (index.js login({ popup })).
export const POPUP = "mxauth-sign-in";

// handOver: in a popup back on this origin, give the answer to an opener
// of this origin waiting for its state (popup.js), close, and say so.
export function handOver() {
  const w = globalThis.window;
  const p = w && callbackParams(w.location.href);
  if (!p) return false;
  let opener = null;
  try {
    if (w.opener && w.opener.location.origin === w.location.origin && w.opener[POPUP]?.has(p.get("state"))) opener = w.opener;
  } catch { opener = null; } // another origin: reading its location throws
  if (!opener) return false;
  opener.postMessage({ type: POPUP, url: w.location.href }, w.location.origin);
  w.close();
  return true;
}

// The small build, next to this module. The URL is literal so that
// bundlers (Vite, webpack) copy the file and rewrite it; session.wasm's is
// in index.js, so a page with room cards alone does not carry it.
export const smallURL = () => new URL("./mxauth.wasm", import.meta.url);

// [url, env] → Promise of the API: a card's start with the defaults must
// not decide the storage of a later load({ storage: "memory" }).
const runs = new Map();
let seq = 0;

const failed = (url, reason, message, extra = {}) =>
  new MxAuthError(extra.code || "network", `mxauth: cannot load ${url}: ${message}`,
    { ...extra, code: undefined, details: { reason, url: String(url) } });

// A dev server or a single-page-app host answers a file it does not have
// with its HTML page and status 200 (Vite 6/7 once its pre-bundler moved
// the loader into node_modules/.vite/deps/): name the cause and the fix
// rather than fail to compile "<!do" as WebAssembly.
const htmlAnswer = (url) => failed(url, "wasm_html", "the server answered with an HTML page, not WebAssembly. " +
  "With the Vite dev server add optimizeDeps: { exclude: [\"mxauth\"] } to vite.config; " +
  "elsewhere serve the .wasm file at this address, or pass its address to load({ wasmUrl })");

// looksLikeHTML: a body without the "\0asm" magic that starts with "<".
function looksLikeHTML(buf) {
  const head = new Uint8Array(buf, 0, Math.min(buf.byteLength, 64));
  if (head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d) return false;
  return /^\s*</.test(new TextDecoder().decode(head));
}

// viteDeps is where file really is when Vite 6/7 pre-bundled the loader
// into node_modules/.vite/deps/ (vitejs/vite#8427), else null. A variable
// base, so no bundler takes it for an asset.
export function viteDeps(file, base = import.meta.url) {
  const u = new URL(base);
  return u.pathname.includes("/node_modules/.vite/deps/") ? new URL(`../../mxauth/${file}`, u) : null;
}

// instantiate compiles while the bytes arrive, or from an ArrayBuffer when
// the server does not send application/wasm (instantiateStreaming refuses
// it). The fetch matches <link rel="preload" as="fetch" crossorigin>. When
// url answers with an HTML page, retry (viteDeps) is tried once.
async function instantiate(url, go, retry) {
  let res;
  try {
    res = await fetch(url, { credentials: "same-origin" });
  } catch (e) {
    throw failed(url, "wasm_fetch", e.message);
  }
  if (!res.ok) throw failed(url, "wasm_fetch", `HTTP ${res.status}`, { status: res.status });
  const type = (res.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
  let buf;
  if (type !== "application/wasm" || !WebAssembly.instantiateStreaming) {
    try { buf = await res.arrayBuffer(); } catch (e) { throw failed(url, "wasm_fetch", e.message); }
  }
  if (type === "text/html" || buf && looksLikeHTML(buf)) {
    if (retry) return instantiate(retry, go);
    throw htmlAnswer(url);
  }
  try {
    const imports = (await go).importObject;
    if (!buf) return (await WebAssembly.instantiateStreaming(res, imports)).instance;
    return (await WebAssembly.instantiate(buf, imports)).instance;
  } catch (e) {
    if (e instanceof MxAuthError) throw e;
    const hint = /Content Security Policy|CSP|unsafe-eval/i.test(e.message)
      ? " (the page's Content-Security-Policy needs script-src 'wasm-unsafe-eval')" : "";
    throw failed(url, "wasm_compile", e.message + hint, { code: "server_error" });
  }
}

/**
 * run starts the Go program at url once per page and resolves to its
 * wrapped API; env becomes go.env, with MXAUTH_READY naming the ready
 * callback; retry is tried when url answers HTML. The wasm and
 * wasm_exec.js load in parallel. A failed start is forgotten: a later call
 * retries.
 */
export function run(url, env = {}, retry = null) {
  // On a server (SSR in Node, Deno, Bun) there is no page to sign in on and
  // the URL is a file:// path: say that, not "network … file:///…". Not
  // kept, so the module still starts once it runs in a browser.
  if (typeof window === "undefined" && typeof WorkerGlobalScope === "undefined") {
    return Promise.reject(new MxAuthError("invalid_input", "mxauth runs in a browser: call load() in the page " +
      "(for example in useEffect or onMount), not while rendering on the server", { details: { reason: "no_browser" } }));
  }
  const key = JSON.stringify([String(url), Object.entries(env).sort()]);
  let p = runs.get(key);
  if (p) return p;
  p = (async () => {
    const go = (globalThis.Go ? Promise.resolve() : import("./wasm_exec.js")).then(() => new globalThis.Go());
    go.catch(() => {}); // reported by instantiate
    const instance = await instantiate(url, go, retry);
    const g = await go;
    const ready = `__mxauthReady${++seq}`;
    g.env = { ...env, MXAUTH_READY: ready };
    const api = await new Promise((resolve, reject) => {
      globalThis[ready] = resolve;
      g.run(instance).then(
        () => reject(failed(url, "wasm_exit", "the program exited before it was ready", { code: "server_error" })),
        (e) => reject(failed(url, "wasm_exit", String(e && e.message || e), { code: "server_error" })));
    }).finally(() => { delete globalThis[ready]; });
    return wrapAPI(api);
  })();
  runs.set(key, p);
  p.catch(() => { if (runs.get(key) === p) runs.delete(key); });
  return p;
}

/** envOf maps load() options to go.env. */
export function envOf({ timeoutMs, storage } = {}) {
  const env = {};
  if (timeoutMs != null) env.MXAUTH_TIMEOUT_MS = String(Math.max(0, Math.floor(Number(timeoutMs))));
  if (storage != null) env.MXAUTH_STORAGE = String(storage);
  return env;
}

// The API of load() (index.js), once a page or an element asked for it.
let main;
const waiters = [];

/** mainAPI is the Promise of load()'s API when load() was called, else undefined. */
export const mainAPI = () => main;

/** setMain records load()'s API Promise and wakes whoever waits for it. */
export function setMain(p) {
  main = p;
  p.catch(() => { if (main === p) main = undefined; });
  for (const resolve of waiters.splice(0)) resolve(p);
}

// A login element connected: load() is coming (the room elements wait for
// it rather than start a second instance).
let expected = false;
export const expectMain = () => { expected = true; };
export const mainExpected = () => expected;

/** whenMain resolves with load()'s API Promise once someone calls load(). */
export const whenMain = () => main ? Promise.resolve(main) : new Promise((resolve) => waiters.push(resolve));
