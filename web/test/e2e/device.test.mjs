// <mxauth-login mode="device"> and mx.startDeviceLogin/waitDeviceLogin in
// Debian's Chromium against the sandbox's device endpoint (issue 15): the
// code large and announced, a QR code another decoder reads, a countdown,
// "Get a new code" after it expired, and the sign-in once approved.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { sandbox, serve, browser, here, npmDir, results, until } from "./harness.mjs";

let hs, web, chrome;
before(async () => {
  hs = await sandbox(["--control", "--device-code-ttl", "6s", "--device-code-interval", "1s"]);
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  chrome = await browser();
  mkdirSync(results, { recursive: true });
});
after(async () => { await chrome?.close(); web?.close(); hs?.stop(); });

// approve answers a user code on the sandbox's control plane, as a phone would.
async function approve(userCode, allow = true) {
  const r = await fetch(`${hs.url}/_sandbox/device`, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ userCode, user: "alice", allow }) });
  assert.equal(r.status, 200, await r.text());
}

const shown = (page) => page.evaluate(() => {
  const r = document.querySelector("mxauth-login").shadowRoot;
  const q = (s) => r.querySelector(s);
  return { code: q(".code")?.textContent, qr: !!q(".qr svg"), qrLabel: q(".qr")?.getAttribute("aria-label"),
    left: r.querySelectorAll(".st")[0]?.textContent, status: r.querySelectorAll(".st")[1]?.textContent,
    error: q(".er")?.textContent, retry: !q('[part~="retry"]').hidden, live: q(".code")?.getAttribute("aria-live") };
});

test("the device element: code, QR code, countdown; a new code after expiry; signed in once approved", async () => {
  const page = await chrome.ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const events = [];
  await page.exposeFunction("seen", (e) => events.push(e));
  await page.goto(`${web.url}/blank.html`);
  await page.evaluate(async (server) => {
    const { load } = await import("/npm/index.js");
    await load({ storage: "memory" });
    const el = document.createElement("mxauth-login");
    el.setAttribute("mode", "device");
    el.setAttribute("server", server);
    el.setAttribute("client-name", "Lobby screen");
    el.setAttribute("client-uri", "https://lobby.example.org");
    el.addEventListener("mxauth-session", (e) => globalThis.seen({ type: "session", user: e.detail.userId, token: "accessToken" in e.detail }));
    el.addEventListener("mxauth-error", (e) => globalThis.seen({ type: "error", code: e.detail.code }));
    document.body.append(el);
  }, hs.url);
  await until(page, () => document.querySelector("mxauth-login").shadowRoot.querySelector(".code")?.textContent);
  let s = await shown(page);
  assert.match(s.code, /^[A-Z0-9-]{6,}$/);
  assert.equal(s.qr, true);
  assert.match(s.qrLabel, /^QR code of http/);
  assert.match(s.left, /^The code expires in 0:0\d\.$/);
  assert.equal(s.live, "polite", "the code is announced");
  await page.screenshot({ path: join(results, "device-code.png") });

  // Let it expire: the element offers a new code.
  await until(page, () => !document.querySelector("mxauth-login").shadowRoot.querySelector('[part~="retry"]').hidden, null, 30000);
  s = await shown(page);
  assert.equal(s.error, "The code expired.");
  assert.equal(s.code, "");
  assert.ok(events.some((e) => e.type === "error" && e.code === "device_code_expired"), JSON.stringify(events));
  const old = (await page.evaluate(() => globalThis.lastCode)) ?? null;
  await page.locator("mxauth-login").locator('[part~="retry"]').click();
  await until(page, () => document.querySelector("mxauth-login").shadowRoot.querySelector(".code")?.textContent);
  s = await shown(page);
  assert.notEqual(s.code, old);

  // The person approves on their phone.
  await approve(s.code);
  await until(page, () => /Signed in as/.test(document.querySelector("mxauth-login").shadowRoot.textContent));
  assert.ok(events.some((e) => e.type === "session" && e.user === `@alice:${hs.serverName}` && !e.token), JSON.stringify(events));
  const who = await page.evaluate(async () => (await (await import("/npm/index.js")).load()).session());
  assert.equal(who.userId, `@alice:${hs.serverName}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test("mx.startDeviceLogin / waitDeviceLogin: refused, then aborted by a signal; the device code never reaches the page", async () => {
  const page = await chrome.ctx.newPage();
  await page.goto(`${web.url}/blank.html`);
  const d = await page.evaluate(async (server) => {
    const { load } = await import("/npm/index.js");
    const mx = await load({ storage: "memory" });
    globalThis.d = await mx.startDeviceLogin({ server, client: { name: "Kiosk", uri: "https://kiosk.example.org" } });
    globalThis.wait = mx.waitDeviceLogin(globalThis.d).then(() => "signed in", (e) => e.code);
    return globalThis.d;
  }, hs.url);
  assert.deepEqual(Object.keys(d).sort(), ["deviceId", "expiresAt", "handle", "intervalMs", "qrSvg", "serverName",
    "userCode", "verificationUri", "verificationUriComplete"]);
  assert.match(d.qrSvg, /^<svg /);
  await approve(d.userCode, false);
  assert.equal(await page.evaluate(() => globalThis.wait), "authorization_denied");
  const aborted = await page.evaluate(async (server) => {
    const mx = await (await import("/npm/index.js")).load();
    const d = await mx.startDeviceLogin({ server, client: { name: "Kiosk", uri: "https://kiosk.example.org" } });
    const ac = new AbortController();
    const p = mx.waitDeviceLogin(d, { signal: ac.signal }).then(() => "signed in", (e) => [e.code, e.details?.reason]);
    setTimeout(() => ac.abort(), 300);
    return p;
  }, hs.url);
  assert.deepEqual(aborted, ["network", "aborted"]);
  await page.close();
});
