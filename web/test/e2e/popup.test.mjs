// Popup sign-in (issue 16) in Debian's Chromium against the sandbox: the
// popup opens inside the click, comes back to the package's callback.html,
// hands the answer to the opener (same origin) and closes; the opener
// completes the sign-in. Closing the popup rejects.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sandbox, serve, browser, here, npmDir, until } from "./harness.mjs";

let hs, web, chrome;
before(async () => {
  hs = await sandbox(["--control"]);
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  // Playwright turns the popup blocker off by default; these tests need it.
  chrome = await browser({ ignoreDefaultArgs: ["--disable-popup-blocking"] });
});
after(async () => { await chrome?.close(); web?.close(); hs?.stop(); });

// A page with a button whose click calls mx.login({ popup: true }).
async function page() {
  const p = await chrome.ctx.newPage();
  p.errors = [];
  p.on("pageerror", (e) => p.errors.push(e.message));
  await p.goto(`${web.url}/blank.html#keep=this`);
  await p.evaluate(async (server) => {
    const { load } = await import("/npm/index.js");
    const mx = await load({ storage: "memory" });
    const b = document.createElement("button");
    b.id = "go";
    b.textContent = "Sign in";
    b.onclick = () => {
      globalThis.result = mx.login({ server, popup: true, redirectUri: location.origin + "/npm/callback.html",
        client: { name: "Popup test", uri: "https://popup.example.org" }, state: { draft: "kept" } })
        .then((s) => ({ user: s.userId, token: "accessToken" in s }), (e) => ({ code: e.code, reason: e.details?.reason }));
    };
    document.body.append(b);
  }, hs.url);
  return p;
}

test("login({ popup: true }) signs in in a popup; the page keeps its state", async () => {
  const p = await page();
  await p.evaluate(() => { globalThis.unsent = "text the person typed"; });
  const [popup] = await Promise.all([p.waitForEvent("popup"), p.click("#go")]);
  await popup.waitForURL((u) => u.href.startsWith(hs.url), { timeout: 30000 });
  await popup.getByRole("button", { name: /Continue as @alice/ }).click();
  await popup.getByRole("button", { name: "Allow" }).click();
  // It may have closed before the click's promise settled.
  if (!popup.isClosed()) await popup.waitForEvent("close", { timeout: 30000 });
  const r = await p.evaluate(() => globalThis.result);
  assert.deepEqual(r, { user: `@alice:${hs.serverName}`, token: false });
  assert.equal(p.url(), `${web.url}/blank.html#keep=this`, "the page never left");
  assert.equal(await p.evaluate(() => globalThis.unsent), "text the person typed");
  const who = await p.evaluate(async () => (await (await import("/npm/index.js")).load()).session());
  assert.equal(who.userId, `@alice:${hs.serverName}`);
  assert.deepEqual(p.errors, []);
  await p.close();
});

test("closing the popup rejects with authorization_denied (popup_closed)", async () => {
  const p = await page();
  const [popup] = await Promise.all([p.waitForEvent("popup"), p.click("#go")]);
  await popup.waitForURL((u) => u.href.startsWith(hs.url), { timeout: 30000 });
  await popup.close();
  assert.deepEqual(await p.evaluate(() => globalThis.result), { code: "authorization_denied", reason: "popup_closed" });
  await p.close();
});

test("login({ popup: true }) outside a click: blocked, and said so", async () => {
  // A page load is no user gesture. Playwright's evaluate is one, so the
  // page is not polled: it reports on the console.
  const p = await chrome.ctx.newPage();
  let opened = 0;
  p.on("popup", () => opened++);
  const said = p.waitForEvent("console", { predicate: (m) => m.text().startsWith("popup-result "), timeout: 30000 });
  await p.goto(`${web.url}/popup-blocked.html?server=${encodeURIComponent(hs.url)}`);
  assert.deepEqual(JSON.parse((await said).text().slice("popup-result ".length)), ["authorization_denied", "popup_blocked"]);
  assert.equal(opened, 0, "no window opened");
  await p.close();
});

test("<mxauth-login popup> signs in in a popup and fires mxauth-session", async () => {
  const p = await chrome.ctx.newPage();
  await p.goto(`${web.url}/blank.html`);
  await p.evaluate(async (server) => {
    await import("/npm/elements.js");
    const { load } = await import("/npm/index.js");
    await load({ storage: "memory" });
    const el = document.createElement("mxauth-login");
    el.id = "login";
    for (const [k, v] of Object.entries({ server, popup: "", "redirect-uri": location.origin + "/npm/callback.html",
      "client-name": "Popup element", "client-uri": "https://popup.example.org" })) el.setAttribute(k, v);
    el.addEventListener("mxauth-session", (e) => { globalThis.signedIn = e.detail.userId; });
    document.body.append(el);
  }, hs.url);
  await until(p, () => {
    const b = document.querySelector("#login").shadowRoot.querySelector('[part~="continue"]');
    return b && !b.disabled && b.textContent.startsWith("Continue with");
  });
  const [popup] = await Promise.all([p.waitForEvent("popup"), p.locator("#login").locator('[part~="continue"]').click()]);
  await popup.waitForURL((u) => u.href.startsWith(hs.url), { timeout: 30000 });
  await popup.getByRole("button", { name: /Continue as @alice/ }).click();
  await popup.getByRole("button", { name: "Allow" }).click();
  await until(p, () => globalThis.signedIn);
  assert.equal(await p.evaluate(() => globalThis.signedIn), `@alice:${hs.serverName}`);
  await p.close();
});

test("an answer goes only to an opener that waits for its state", async () => {
  const p = await page();
  // A window of this origin opened by a page that started no popup sign-in
  // (or another sign-in): callback.html keeps the answer and stays open.
  const [w] = await Promise.all([p.waitForEvent("popup"),
    p.evaluate(() => { globalThis["mxauth-sign-in"] = new Set(["other"]); open("/npm/callback.html?code=c&state=s", "mxauth-sign-in"); })]);
  await w.waitForLoadState();
  await until(w, () => document.body.textContent.includes("You can close it"));
  assert.equal(w.isClosed(), false);
  await p.close();
});
