// Proves the bench harness works: run.mjs in quick mode (one run, tiny
// counts) into a temporary folder, then the JSON has a number where the
// table has one. Not part of `make test` (about a minute); run it with
//   cd web/test && node --test ../bench/run.test.mjs
// after `make npm`. It checks that numbers exist, never their values.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const run = fileURLToPath(new URL("./run.mjs", import.meta.url));

test("run.mjs --quick prints tables and writes latest.json", { timeout: 300000 }, () => {
  const out = mkdtempSync(join(tmpdir(), "mxauth-bench-test-"));
  try {
    const md = execFileSync("node", [run, "--quick", "--only", "sizes,startup,trips", "--out", out],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 280000 });
    assert.match(md, /### 1\. Transfer size/);
    assert.match(md, /### 2\. Start-up/);
    assert.match(md, /### 3\. Round trips/);
    const r = JSON.parse(readFileSync(join(out, "latest.json"), "utf8"));
    for (const a of ["matrix-js-sdk", "matrix-js-sdk-oauth", "oidc-client-ts"]) {
      assert.ok(r.sizes.anchors[a].initial.brotli > 0, `${a} bundle size`);
      assert.ok(Number.isFinite(r.startup[a].cold.discovered?.median), `${a} start-up`);
    }
    assert.ok(r.sizes.mxauth["mxauth.wasm"].brotli > 0, "mxauth.wasm size");
    assert.ok(Number.isFinite(r.startup.mxauth.cold.discovered?.median), "mxauth start-up");
    assert.ok(r.trips.mxauth.cold.loadToReady.requests > 0, "mxauth round trips counted");
    assert.ok(r.trips["matrix-js-sdk"].cold.loadToReady.requests > 0, "matrix-js-sdk round trips counted");
  } finally { rmSync(out, { recursive: true, force: true }); }
});
