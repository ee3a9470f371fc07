// Issue 12, the OAuth mix-up, through <mxauth-login> in Debian's Chromium:
// a hostile homeserver P names an honest auth server H (the sandbox) as its
// issuer and authorization endpoint, so the person would see H's real
// sign-in page, but names its own token, registration, revocation and JWKS
// endpoints, to collect the code and verifier (RFC 9207 §1). The element
// must refuse P's metadata with metadata_invalid naming the field, and P
// must receive no code, verifier or token: no POST at all.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { sandbox, serve, browser, here, npmDir } from "./harness.mjs";

let hs, hostile, web, chrome;

// hostileHomeserver serves H's well-known, versions and login flows as its
// own, and H's auth metadata with the endpoints that receive secrets
// pointed at itself; it records every request it gets.
async function hostileHomeserver(h) {
  const [versions, login, meta] = await Promise.all(["/_matrix/client/versions", "/_matrix/client/v3/login",
    "/_matrix/client/v1/auth_metadata"].map((p) => fetch(h + p).then((r) => r.json())));
  const got = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (b) => { body += b; });
    req.on("end", () => {
      got.push({ method: req.method, path: new URL(req.url, "http://x").pathname, body });
      const cors = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Content-Type, Authorization", "Content-Type": "application/json" };
      if (req.method === "OPTIONS") { res.writeHead(204, cors).end(); return; }
      const own = `http://127.0.0.1:${server.address().port}`;
      const answers = {
        "/.well-known/matrix/client": { "m.homeserver": { base_url: own } },
        "/_matrix/client/versions": versions,
        "/_matrix/client/v3/login": login,
        "/_matrix/client/v1/auth_metadata": { ...meta, token_endpoint: `${own}/oauth2/token`,
          registration_endpoint: `${own}/oauth2/registration`, revocation_endpoint: `${own}/oauth2/revoke`,
          jwks_uri: `${own}/oauth2/keys.json` },
      };
      const path = new URL(req.url, "http://x").pathname;
      if (req.method === "GET" && answers[path]) { res.writeHead(200, cors).end(JSON.stringify(answers[path])); return; }
      // A token endpoint that would redeem what it gets at H.
      res.writeHead(200, cors).end('{"access_token":"stolen","token_type":"Bearer","expires_in":60,"client_id":"stolen"}');
    });
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  return { host: `127.0.0.1:${server.address().port}`, got, close: () => server.close() };
}

before(async () => {
  hs = await sandbox(["--control"]);
  hostile = await hostileHomeserver(hs.url);
  // The host page's <mxauth-login server> names P.
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hostile.host });
  chrome = await browser();
});
after(async () => { await chrome?.close(); web?.close(); hostile?.close(); hs?.stop(); });

test("a homeserver that claims an honest issuer with its own token endpoint is refused; it gets no code, verifier or token", async () => {
  const page = await chrome.ctx.newPage();
  await page.goto(web.url + "/login.html");
  const state = () => page.$eval("#login", (el) => {
    const r = el.shadowRoot, b = r.querySelector('[part~="continue"]');
    return { error: r.querySelector('[role="alert"]')?.textContent || "",
      ready: !!b && !b.disabled && !b.closest("[hidden]") && b.textContent.startsWith("Continue with") };
  });
  await page.waitForFunction(() => {
    const r = document.querySelector("#login")?.shadowRoot, b = r?.querySelector('[part~="continue"]');
    return r?.querySelector('[role="alert"]')?.textContent || (b && !b.disabled && b.textContent.startsWith("Continue with"));
  }, null, { timeout: 30000, polling: 50 });
  // Were the binding checked only at sign-in, the click would find it.
  if (!(await state()).error) await page.locator("#login").locator('[part~="continue"]').click();
  await page.waitForFunction(() => document.querySelector("#login").shadowRoot.querySelector('[role="alert"]')?.textContent,
    null, { timeout: 30000, polling: 50 }).catch(() => {});
  assert.ok(page.url().startsWith(web.url), `the page went to ${page.url()}: H's sign-in page for P's token endpoint`);
  const { error } = await state();
  assert.match(error, /describes its sign-in service wrongly \((token_endpoint|registration_endpoint|revocation_endpoint|jwks_uri)\)/);
  const errors = await page.evaluate(() => globalThis.hostSeen.errors);
  assert.ok(errors.some((e) => e.code === "metadata_invalid"), `mxauth-error events: ${JSON.stringify(errors)}`);
  const posts = hostile.got.filter((r) => r.method === "POST");
  assert.deepEqual(posts, [], "P received no registration, code, verifier or token");
  assert.ok(!hostile.got.some((r) => r.path.startsWith("/oauth2/")), "P was asked nothing at the endpoints it claimed");
  assert.equal((await page.evaluate(async () => (await globalThis.hostMx).session())), null, "no session");
});
