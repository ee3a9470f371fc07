// Servers without OAuth 2.0 but with SSO, in Debian's Chromium against the
// sandbox in legacy mode (issue 16): <mxauth-login> shows one button per
// identity provider (or one "Continue with <server>"), signs in through
// the SSO redirect and the loginToken callback, and the page gets the same
// Session, accessToken() and logout() as with OAuth 2.0. A loginToken no
// login of this page asked for is refused and sent to no server.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sandbox, serve, browser, here, npmDir, until } from "./harness.mjs";

let idps, plain, webIdps, webPlain, chrome;
before(async () => {
  idps = await sandbox(["--legacy-sso", "--idps", "oidc-github=GitHub,saml-corp=Corp SSO", "--auto-approve", "alice"]);
  plain = await sandbox(["--legacy-sso", "--auto-approve", "alice"]);
  webIdps = await serve({ "/npm/": npmDir, "/": here }, { HS: idps.serverName });
  webPlain = await serve({ "/npm/": npmDir, "/": here }, { HS: plain.serverName });
  chrome = await browser();
});
after(async () => { await chrome?.close(); webIdps?.close(); webPlain?.close(); idps?.stop(); plain?.stop(); });

// buttons lists the login element's visible buttons once discovery is done.
async function buttons(page) {
  await until(page, () => {
    const r = document.querySelector("#login")?.shadowRoot;
    return r?.querySelector('[aria-busy="false"]') && [...r.querySelectorAll("button")].some((b) => !b.disabled && b.checkVisibility());
  });
  return page.$eval("#login", (el) => [...el.shadowRoot.querySelectorAll("button")].filter((b) => b.checkVisibility()).map((b) => b.textContent));
}

// record lists the requests the page makes to a homeserver.
function record(page, hs) {
  const seen = [];
  page.on("request", (r) => { if (r.url().startsWith(hs.url)) seen.push(`${r.method()} ${new URL(r.url()).pathname}`); });
  return seen;
}

const click = (page, label) => page.evaluate((label) => [...document.querySelector("#login").shadowRoot.querySelectorAll("button")]
  .find((b) => b.textContent === label).click(), label);

// signedIn waits for the element's mxauth-session and returns what the page
// sees: the event's session, session(), an access token's length.
async function signedIn(page) {
  await until(page, () => globalThis.hostSeen?.sessions.length > 0 || globalThis.hostSeen?.errors.length > 0);
  return page.evaluate(async () => {
    const mx = await globalThis.hostMx;
    const tok = await mx.accessToken();
    return { event: globalThis.hostSeen.sessions[0], errors: globalThis.hostSeen.errors, now: await mx.session(), tokenLength: tok.length };
  });
}

test("several identity providers: a button each; sign in with one, sign out", async () => {
  const page = await chrome.ctx.newPage();
  const seen = record(page, idps);
  await page.goto(`${webIdps.url}/login.html`);
  assert.deepEqual(await buttons(page), ["Continue with GitHub", "Continue with Corp SSO"]);

  await click(page, "Continue with Corp SSO");
  await page.waitForURL((u) => u.href.startsWith(webIdps.url), { timeout: 30000 });
  const got = await signedIn(page);
  assert.deepEqual(got.errors, []);
  assert.equal(got.event.kind, "legacy");
  assert.equal(got.event.userId, `@alice:${idps.serverName}`);
  assert.equal(got.now.deviceId, got.event.deviceId);
  assert.ok(got.tokenLength > 0, "accessToken() gives the token");
  assert.ok(seen.includes("GET /_matrix/client/v3/login/sso/redirect/saml-corp"), seen.join("\n"));
  assert.ok(seen.includes("POST /_matrix/client/v3/login"), "the loginToken was redeemed at the homeserver");
  const here = new URL(page.url());
  assert.ok(!here.searchParams.has("loginToken") && !here.searchParams.has("state"), `the address bar still has the answer: ${page.url()}`);

  await page.evaluate(async () => (await globalThis.hostMx).logout());
  assert.ok(seen.includes("POST /_matrix/client/v3/logout"), "logout() ended the device at the homeserver");
  assert.equal(await page.evaluate(async () => (await globalThis.hostMx).session()), null);
  await page.close();
});

test("no identity providers: one “Continue with <server>”", async () => {
  const page = await chrome.ctx.newPage();
  await page.goto(`${webPlain.url}/login.html`);
  assert.deepEqual(await buttons(page), [`Continue with ${plain.serverName}`]);
  await click(page, `Continue with ${plain.serverName}`);
  await page.waitForURL((u) => u.href.startsWith(webPlain.url), { timeout: 30000 });
  const got = await signedIn(page);
  assert.deepEqual(got.errors, []);
  assert.equal(got.event.kind, "legacy");
  await page.evaluate(async () => (await globalThis.hostMx).logout());
  await page.close();
});

test("a loginToken no login of this page asked for is refused and sent nowhere", async () => {
  const page = await chrome.ctx.newPage();
  const seen = record(page, idps);
  await page.goto(`${webIdps.url}/login.html?state=forged0000000000000000000000000&loginToken=syl_planted`);
  await until(page, () => globalThis.hostSeen?.errors.length > 0);
  const errors = await page.evaluate(() => globalThis.hostSeen.errors.map((e) => e.code));
  assert.deepEqual(errors, ["no_pending_login"]);
  const text = await page.$eval("#login", (el) => el.shadowRoot.querySelector('[part="error"]').textContent);
  assert.match(text, /Please sign in again/);
  assert.ok(!seen.some((r) => r.startsWith("POST")), `requests: ${seen.join(", ")}`);
  await page.close();
});
