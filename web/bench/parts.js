// parts.js: bench-only hooks that time what mxauth.wasm waits for in the
// browser while it refreshes (issue 11, "measure each part"): IndexedDB
// transactions (hackpadfs's file system and the key database; reads and
// writes apart), WebCrypto
// calls, Web Locks (waiting for and holding), and fetch (the token request
// apart from the rest). Each part counts its calls and the wall time during
// which at least one of its calls was pending; "any" is that time over all
// parts but the held lock (which contains the others). Import it before the
// loader; __bench.parts() reads and resets the counters.
const bench = globalThis.__bench;
const kinds = ["idbRead", "idbWrite", "idbUnderLock", "crypto", "lockWait", "lockHeld", "fetchToken", "fetchOther", "any"];
let acc;
const reset = () => { acc = Object.fromEntries(kinds.map((k) => [k, { n: 0, ms: 0, active: 0, since: 0 }])); };
reset();

// begin marks a call of kind pending; the function it returns ends it.
function begin(kind) {
  const parts = kind === "lockHeld" ? [kind] : [kind, "any"];
  const now = performance.now();
  for (const k of parts) {
    const a = acc[k];
    if (k === kind) a.n++;
    if (a.active++ === 0) a.since = now;
  }
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const t = performance.now();
    for (const k of parts) {
      const a = acc[k];
      if (--a.active === 0) a.ms += t - a.since;
    }
  };
}

function timed(kind, p) {
  const end = begin(kind);
  return Promise.resolve(p).finally(end);
}

// WebCrypto: every method that returns a Promise.
const subtle = globalThis.crypto?.subtle;
if (subtle) {
  for (const m of ["encrypt", "decrypt", "generateKey", "importKey", "exportKey", "digest", "sign", "verify"]) {
    const orig = subtle[m];
    if (typeof orig === "function") subtle[m] = function (...args) { return timed("crypto", orig.apply(this, args)); };
  }
}

// fetch: the token request (…/token) apart from the others.
const origFetch = globalThis.fetch;
globalThis.fetch = function (input, init) {
  const url = typeof input === "string" ? input : input?.url || String(input);
  return timed(/\/token(\?|$)/.test(url) ? "fetchToken" : "fetchOther", origFetch.call(this, input, init));
};

// Web Locks: the wait (request → callback) and the hold (callback → its
// Promise settles).
const locks = globalThis.navigator?.locks;
if (locks) {
  const orig = locks.request.bind(locks);
  locks.request = function (name, ...rest) {
    const cb = rest.pop();
    const endWait = begin("lockWait");
    return orig(name, ...rest, (lock) => {
      endWait();
      const endHeld = begin("lockHeld");
      return Promise.resolve().then(() => cb(lock)).finally(endHeld);
    });
  };
}

// IndexedDB: a transaction is pending from its creation to complete, abort
// or error; read-only and read-write apart (only these write to disk).
if (globalThis.IDBDatabase) {
  const orig = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (...args) {
    const txn = orig.apply(this, args);
    const end = begin(txn.mode === "readonly" ? "idbRead" : "idbWrite");
    if (acc.lockHeld.active) acc.idbUnderLock.n++; // counted only: its time is in the two above
    for (const ev of ["complete", "abort", "error"]) txn.addEventListener(ev, end, { once: true });
    return txn;
  };
}

bench.parts = () => {
  const out = Object.fromEntries(kinds.map((k) => [k, { n: acc[k].n, ms: acc[k].ms }]));
  reset();
  return out;
};

// idbProbe is the reference for the IndexedDB rows: the mean time of n
// read-only transactions (one get each) from plain JS on a scratch
// database, so the table tells IndexedDB's own cost from the glue's.
bench.idbProbe = async (n) => {
  const req = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  const open = indexedDB.open("mxauth-bench-probe", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("s");
  const db = await req(open);
  const w = db.transaction("s", "readwrite");
  w.objectStore("s").put(new Uint8Array(600), "k");
  await new Promise((ok) => { w.oncomplete = ok; });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await req(db.transaction("s", "readonly").objectStore("s").get("k"));
  const ms = (performance.now() - t0) / n;
  db.close();
  return ms;
};
