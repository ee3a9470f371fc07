// Internal to the mxauth package: starting a Go WASM program once per page
// and the error class. index.js (session.wasm), preview.js (mxauth.wasm)
// and elements.js share this module, so each build runs at most once
// however often load() is called and whoever calls it.

/** MxAuthError is the one error class of mxauth (CONTRACT.md §1). */
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

// Whether the auth server answers, as the last accessToken call (the
// page's or an element's) found it: the elements say "Offline — will retry"
// from it. A failure of the network, a timeout or a failing server (5xx,
// 429) keeps the session; any other outcome means the server answered.
const linkFns = new Set();
/** onLink calls fn with the MxAuthError of a transient failure, or null once an answer came. */
export const onLink = (fn) => { linkFns.add(fn); return () => linkFns.delete(fn); };
const transient = (e) => /^(network|timeout|server_error|rate_limited)$/.test(e?.code) ? e : null;
export function report(e) { for (const fn of linkFns) fn(transient(e)); }

// wrapAPI returns an object whose methods turn every rejection into an
// MxAuthError; non-function properties are copied. keys, when given, are
// the only ones passed on (an entry that offers part of a build's API).
export function wrapAPI(api, keys = Object.keys(api)) {
  const out = {};
  for (const key of keys) {
    const v = api[key];
    out[key] = typeof v !== "function" ? v : /EventListener$/.test(key) ? v.bind(api) : (...args) => {
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

const runs = new Map(); // build name → Promise of the API

/** running returns the Promise of a build's API when it was started, else undefined. */
export const running = (build) => runs.get(build);

const failed = (url, reason, message, extra = {}) =>
  new MxAuthError(extra.code || "network", `mxauth: cannot load ${url}: ${message}`,
    { ...extra, code: undefined, details: { reason, url: String(url) } });

// instantiate prefers streaming compilation and falls back to
// fetch + arrayBuffer when the server does not send application/wasm.
async function instantiate(url, imports) {
  let res;
  try {
    res = await fetch(url, { credentials: "same-origin" });
  } catch (e) {
    throw failed(url, "wasm_fetch", e.message);
  }
  if (!res.ok) throw failed(url, "wasm_fetch", `HTTP ${res.status}`, { status: res.status });
  const type = (res.headers.get("Content-Type") || "").split(";")[0].trim().toLowerCase();
  try {
    if (type === "application/wasm" && WebAssembly.instantiateStreaming) {
      return (await WebAssembly.instantiateStreaming(res, imports)).instance;
    }
    return (await WebAssembly.instantiate(await res.arrayBuffer(), imports)).instance;
  } catch (e) {
    const hint = /Content Security Policy|CSP|unsafe-eval/i.test(e.message)
      ? " (the page's Content-Security-Policy needs script-src 'wasm-unsafe-eval')" : "";
    throw failed(url, "wasm_compile", e.message + hint, { code: "server_error" });
  }
}

/**
 * start runs a Go WASM build once: build names it ("mxauth", "preview"),
 * ready is the global the program calls with its API (the handshake of
 * wasm/mxauth and wasm/session), env becomes go.env; keys, when given,
 * narrow the API to those methods.
 */
export function start(build, { url, ready, env, keys }) {
  let p = runs.get(build);
  if (p) return p;
  p = (async () => {
    if (!globalThis.Go) await import("./wasm_exec.js");
    const go = new globalThis.Go();
    go.env = { ...env, MXAUTH_READY: ready };
    const instance = await instantiate(url, go.importObject);
    const api = await new Promise((resolve, reject) => {
      globalThis[ready] = resolve;
      go.run(instance).then(
        () => reject(failed(url, "wasm_exit", "the program exited before it was ready", { code: "server_error" })),
        (e) => reject(failed(url, "wasm_exit", String(e && e.message || e), { code: "server_error" })));
    }).finally(() => { delete globalThis[ready]; });
    return wrapAPI(api, keys);
  })();
  runs.set(build, p);
  notify(build);
  // A failed start may be retried: forget it.
  p.catch(() => { if (runs.get(build) === p) runs.delete(build); });
  return p;
}

/** envOf maps load() options to go.env. */
export function envOf({ timeoutMs, storage } = {}) {
  const env = {};
  if (timeoutMs != null) env.MXAUTH_TIMEOUT_MS = String(Math.max(0, Math.floor(Number(timeoutMs))));
  if (storage != null) env.MXAUTH_STORAGE = String(storage);
  return env;
}

const waiters = new Map(); // build name → resolve functions waiting for start()

/** started resolves with a build's API Promise once someone starts it. */
export function started(build) {
  const p = runs.get(build);
  if (p) return Promise.resolve(p);
  return new Promise((resolve) => {
    if (!waiters.has(build)) waiters.set(build, []);
    waiters.get(build).push(resolve);
  });
}

export function notify(build) {
  const list = waiters.get(build);
  waiters.delete(build);
  if (list) for (const resolve of list) resolve(runs.get(build));
}
