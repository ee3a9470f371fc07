// marks.js: the bench pages' only shared state. mark(name) records
// performance.now() (ms since navigation start) under window.__bench.marks;
// run.mjs reads them. Importing this module first also captures the WASM
// instances the page starts (a bench-only hook: the public API does not
// expose its linear memory), wrapping WebAssembly.instantiate(Streaming).
const bench = (globalThis.__bench = { marks: {}, errors: [], instances: [] });

export function mark(name) {
  if (!(name in bench.marks)) bench.marks[name] = performance.now();
}

export function fail(e) {
  bench.errors.push(String((e && (e.code ? e.code + ": " : "") + e.message) || e));
  mark("failed");
}

// afterPaint resolves after the next frame has been painted: a rAF runs
// before the paint, a message posted from it is handled after.
export function afterPaint() {
  return new Promise((ok) => requestAnimationFrame(() => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => ok();
    ch.port2.postMessage(0);
  }));
}

for (const name of ["instantiate", "instantiateStreaming"]) {
  const orig = WebAssembly[name];
  if (!orig) continue;
  WebAssembly[name] = async function (...args) {
    const out = await orig.apply(this, args);
    const inst = out instanceof WebAssembly.Instance ? out : out.instance;
    if (inst) bench.instances.push(inst);
    mark("instantiated"); // the first instance: go.run starts right after
    return out;
  };
}

// wasmBytes is the linear memory of every WASM instance of the page.
bench.wasmBytes = () => bench.instances.reduce((n, i) => {
  const m = Object.values(i.exports).find((x) => x instanceof WebAssembly.Memory);
  return n + (m ? m.buffer.byteLength : 0);
}, 0);

// hs is the sandbox's server name, from the page's data-hs.
export const hs = () => document.documentElement.dataset.hs;
