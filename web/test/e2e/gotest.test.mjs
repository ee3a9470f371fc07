// Go tests that need a real browser (IndexedDB, which Node lacks) run
// here: the package's GOOS=js test binary in a page of Debian's Chromium.
// Node runs the same binary's other tests (`go test ./wasm/...`), where
// these skip.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, here, serve, browser } from "./harness.mjs";

// goTest builds pkg's test binary for js/wasm beside the runner page and
// runs the tests matching run in Chromium; it resolves to the output.
async function goTest(pkg, run) {
  const dir = mkdtempSync(join(tmpdir(), "mxauth-gotest-"));
  const env = { ...process.env, GOOS: "js", GOARCH: "wasm" };
  execFileSync("go", ["test", "-c", "-o", join(dir, "test.wasm"), pkg], { cwd: root, env, stdio: "inherit" });
  const goroot = execFileSync("go", ["env", "GOROOT"], { cwd: root }).toString().trim();
  copyFileSync(join(goroot, "lib/wasm/wasm_exec.js"), join(dir, "wasm_exec.js"));
  for (const f of ["index.html", "run.js"]) copyFileSync(join(here, "gotest", f), join(dir, f));
  const site = await serve({ "/": dir }, { HS: "" });
  const b = await browser();
  try {
    const page = await b.ctx.newPage();
    const lines = [];
    page.on("console", (m) => lines.push(m.text()));
    page.on("pageerror", (e) => lines.push("pageerror: " + e.message));
    await page.goto(`${site.url}/index.html?run=${encodeURIComponent(run)}`);
    await page.waitForFunction(() => window.goExit !== undefined, null, { timeout: 120000, polling: 100 });
    const code = await page.evaluate(() => window.goExit);
    return { code, out: lines.join("\n") };
  } finally {
    await b.close();
    site.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test("the IndexedDB Store passes the Store conformance suite; OpenStorage seals with WebCrypto", async () => {
  const { code, out } = await goTest("./wasm/browser/store", "^(TestIndexedDBStoreConformance|TestOpenStorageIndexedDB)$");
  assert.equal(code, 0, out);
  for (const name of ["TestIndexedDBStoreConformance", "TestOpenStorageIndexedDB", "TestIndexedDBStoreConformance/AtomicPut"]) {
    assert.match(out, new RegExp(`--- PASS: ${name} `), `${name} ran and passed:\n${out}`);
  }
  assert.doesNotMatch(out, /--- SKIP/, out);
});
