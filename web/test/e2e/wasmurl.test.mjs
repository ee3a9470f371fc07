// A wasm URL that answers with an HTML page (a dev server's or an SPA
// host's fallback, as the Vite 6/7 dev server does once its pre-bundler
// moved the loader into node_modules/.vite/deps/): load() names the cause
// and the fix instead of "expected magic word 00 61 73 6d".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sandbox, serve, browser, here, npmDir } from "./harness.mjs";


let hs, web, chrome;
before(async () => {
  hs = await sandbox();
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  chrome = await browser();
});
after(async () => { await chrome?.close(); web?.close(); hs?.stop(); });

const HTML = "<!doctype html>\n<html><head><script type=\"module\" src=\"/@vite/client\"></script></head><body></body></html>";

for (const [entry, wasm] of [["index.js", "mxauth.wasm"], ["preview.js", "mxauth.wasm"]]) {
  for (const contentType of ["text/html", "application/octet-stream"]) {
    test(`${entry}: ${wasm} answered by an HTML page (${contentType})`, async () => {
      const page = await chrome.ctx.newPage();
      try {
        await page.route(`**/npm/${wasm}`, (r) => r.fulfill({ status: 200, contentType, body: HTML }));
        await page.goto(`${web.url}/blank.html`);
        const got = await page.evaluate(async (entry) => {
          const { load, MxAuthError } = await import(`/npm/${entry}`);
          return load().then(() => ({ resolved: true }), (e) => ({ mx: e instanceof MxAuthError, code: e.code,
            message: e.message, reason: e.details?.reason, url: e.details?.url }));
        }, entry);
        assert.equal(got.mx, true, JSON.stringify(got));
        assert.equal(got.code, "network");
        assert.equal(got.reason, "wasm_html");
        assert.equal(got.url, `${web.url}/npm/${wasm}`);
        assert.match(got.message, /HTML page, not WebAssembly/);
        assert.match(got.message, /optimizeDeps: \{ exclude: \["mxauth"\] \}/);
        assert.match(got.message, /load\(\{ wasmUrl \}\)/);
        assert.doesNotMatch(got.message, /magic word/);
      } finally {
        await page.close();
      }
    });
  }
}

test("index.js: session.wasm answered by an HTML page fails the method that needs it, and says why", async () => {
  const page = await chrome.ctx.newPage();
  try {
    await page.route("**/npm/session.wasm", (r) => r.fulfill({ status: 200, contentType: "text/html", body: HTML }));
    await page.goto(`${web.url}/blank.html`);
    const got = await page.evaluate(async () => {
      const { load } = await import("/npm/index.js");
      const mx = await load({ storage: "memory" });
      const who = await mx.session();
      return mx.accessToken().then(() => ({ resolved: true }), (e) => ({ who, code: e.code, reason: e.details?.reason, url: e.details?.url }));
    });
    assert.deepEqual(got, { who: null, code: "network", reason: "wasm_html", url: `${web.url}/npm/session.wasm` });
  } finally {
    await page.close();
  }
});
