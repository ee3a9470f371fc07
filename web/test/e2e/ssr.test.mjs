// Server-side rendering: every entry of the packed package imports in Node
// (as Next.js, Remix, Astro and Vite SSR import it on the server) without
// throwing, and defines no element there. Each import runs in a fresh Node
// process, so no earlier import or test global helps it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unpack } from "./harness.mjs";

let work;
before(() => {
  work = mkdtempSync(join(tmpdir(), "mxauth-ssr-"));
  unpack(work);
});
after(() => rmSync(work, { recursive: true, force: true }));

// node runs an ES module script in work (so "mxauth" resolves to the
// unpacked tarball) and returns what it printed as JSON.
function node(script) {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: work, encoding: "utf8" });
  return JSON.parse(out);
}

const entries = {
  "mxauth": ["MxAuthError", "load"],
  "mxauth/preview": ["MxAuthError", "load"],
  "mxauth/elements": ["explain"],
  "mxauth/react": ["explain"],
};

for (const [entry, names] of Object.entries(entries)) {
  test(`import "${entry}" in Node does not throw`, () => {
    const got = node(`
      const m = await import(${JSON.stringify(entry)});
      console.log(JSON.stringify({ keys: Object.keys(m).sort(), ce: typeof globalThis.customElements,
        he: typeof globalThis.HTMLElement }));`);
    assert.deepEqual(got.keys, names);
    // Nothing was defined, and no DOM stand-in leaked into the global scope.
    assert.equal(got.ce, "undefined");
    assert.equal(got.he, "undefined");
  });
}

test("every entry imports together in Node, the elements' helpers work there", () => {
  const got = node(`
    const [{ MxAuthError }, , el] = await Promise.all([import("mxauth"), import("mxauth/preview"), import("mxauth/elements")]);
    const e = new MxAuthError("timeout", "mxauth: slow", { retryAfterMs: 2000 });
    console.log(JSON.stringify({ explain: el.explain(e, "example.org"), name: e.name }));`);
  assert.deepEqual(got, { explain: "example.org did not answer in time. Try again in 2 s.", name: "MxAuthError" });
});

test("load() in Node rejects with invalid_input \"mxauth runs in a browser\"", () => {
  for (const entry of ["mxauth", "mxauth/preview"]) {
    const got = node(`
      const { load, MxAuthError } = await import(${JSON.stringify(entry)});
      const out = await load().then(() => ({ resolved: true }),
        (e) => ({ mx: e instanceof MxAuthError, code: e.code, message: e.message, reason: e.details?.reason }));
      console.log(JSON.stringify(out));`);
    assert.equal(got.mx, true, `${entry}: ${JSON.stringify(got)}`);
    assert.equal(got.code, "invalid_input", `${entry}: ${JSON.stringify(got)}`);
    assert.match(got.message, /mxauth runs in a browser/);
    assert.equal(got.reason, "no_browser");
  }
});
