// wasmsize: where the bytes of a Go js/wasm module go. Prints the module's
// sections, its number of data segments (see wasm/internal/wasmpack) and
// the code bytes of each Go package (wasm code section, function bodies
// summed by the package in their names); --funcs lists every function.
// The names come from the name section, so build without -s -w, with the
// build's own flags (Makefile: SMALLFLAGS for mxauth.wasm):
//
//   GOOS=js GOARCH=wasm go build -trimpath -tags nethttpomithttp2 \
//     -gcflags=all=-l -o /tmp/m.wasm ./wasm/mxauth
//   node web/bench/wasmsize.mjs /tmp/m.wasm [top N packages, default 40] [--funcs]
//
// Brotli does not compress every byte alike (code ~1:6, data ~1:4 here):
// compare two builds' brotli sizes for the truth, use this to see why.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith("--") && !/^\d+$/.test(a));
if (!file) {
  console.error("usage: node web/bench/wasmsize.mjs module.wasm [N] [--funcs]");
  process.exit(2);
}
const top = Number(args.find((a) => /^\d+$/.test(a)) || 40);
const b = readFileSync(file);
let p = 8;
const uleb = () => {
  let r = 0, s = 0, x;
  do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
  return r;
};
const sectionNames = { 0: "custom", 1: "type", 2: "import", 3: "function", 4: "table", 5: "memory",
  6: "global", 7: "export", 8: "start", 9: "element", 10: "code", 11: "data", 12: "data count" };
const sections = [];
let imported = 0, dataSegments = 0;
const bodies = [], names = new Map();
while (p < b.length) {
  const id = b[p++], len = uleb(), end = p + len;
  sections.push([sectionNames[id] || `id ${id}`, len]);
  if (id === 2) { // imports: count the functions, which come first in the index space
    for (let n = uleb(); n > 0; n--) {
      p += uleb(); p += uleb();
      const kind = b[p++];
      if (kind === 0) { uleb(); imported++; }
      else if (kind === 1) { p++; if (uleb() & 1) { uleb(); uleb(); } else uleb(); }
      else if (kind === 2) { if (uleb() & 1) { uleb(); uleb(); } else uleb(); }
      else p += 2;
    }
  } else if (id === 10) {
    for (let n = uleb(); n > 0; n--) { const l = uleb(); bodies.push(l); p += l; }
  } else if (id === 11) {
    dataSegments = uleb();
  } else if (id === 0) {
    const nl = uleb(), name = b.subarray(p, p + nl).toString(); p += nl;
    while (name === "name" && p < end) {
      const sub = b[p++], sl = uleb(), se = p + sl;
      if (sub === 1) {
        for (let n = uleb(); n > 0; n--) { const idx = uleb(), l = uleb(); names.set(idx, b.subarray(p, p + l).toString()); p += l; }
      }
      p = se;
    }
  }
  p = end;
}

// pkg is the package of a function name as the linker writes it ('/' and
// the receiver's "(*T)" turned into '_'): what precedes the first '.' after
// a leading domain ("github.com_…", "golang.org_…").
const pkg = (n) => {
  const m = /^[a-z0-9-]+\.[a-z]+_/.exec(n);
  const from = m ? m[0].length : 0;
  const dot = n.indexOf(".", from);
  return dot > 0 ? n.slice(0, dot) : n;
};
const code = bodies.reduce((a, c) => a + c, 0);
console.log(`${file}: ${b.length} bytes, ${bodies.length} functions, ${dataSegments} data segments`);
for (const [name, len] of sections) console.log(`  section ${name.padEnd(10)} ${String(len).padStart(9)}`);
if (names.size === 0) {
  console.log("no name section (built with -s -w?): no per-package report");
  process.exit(0);
}
if (args.includes("--funcs")) {
  bodies.map((l, i) => [l, names.get(i + imported) || `#${i + imported}`]).sort((x, y) => y[0] - x[0])
    .forEach(([l, n]) => console.log(String(l).padStart(8), n));
  process.exit(0);
}
const per = new Map();
bodies.forEach((l, i) => { const k = pkg(names.get(i + imported) || "?"); per.set(k, (per.get(k) || 0) + l); });
console.log(`code bytes per package (top ${top} of ${per.size}; all code ${code}):`);
[...per].sort((x, y) => y[1] - x[1]).slice(0, top)
  .forEach(([k, v]) => console.log(String(v).padStart(9), (100 * v / code).toFixed(1).padStart(5) + "%", k));
