// The same device on re-login, in Debian's Chromium against the sandbox
// (issue 16): a page signs in, signs out, signs in again and gets the same
// deviceId in session(); deviceId "new" gets another.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sandbox, serve, browser, here, npmDir } from "./harness.mjs";

let hs, web, chrome;
before(async () => {
  hs = await sandbox([]);
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  chrome = await browser();
});
after(async () => { await chrome?.close(); web?.close(); hs?.stop(); });

// signIn starts a login on the page, approves it as alice on the sandbox's
// pages and returns the device the authorization request asked for and
// the session's deviceId.
async function signIn(page, extra) {
  await page.goto(`${web.url}/blank.html`);
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(hs.url) && r.url().includes("response_type=code")),
    page.evaluate(async ({ server, extra }) => {
      const { load } = await import("/npm/index.js");
      const mx = await load();
      // The page leaves: login() never resolves.
      mx.login({ server, redirectUri: location.origin + "/blank.html", client: { name: "Relogin test", uri: "https://relogin.example.org" }, ...extra });
    }, { server: hs.url, extra }),
  ]);
  const scope = new URL(request.url()).searchParams.get("scope") || "";
  const asked = scope.split(" ").find((s) => /:device:/.test(s))?.replace(/^.*:device:/, "");
  await page.waitForURL((u) => u.href.startsWith(hs.url), { timeout: 30000 });
  await page.getByRole("button", { name: /Continue as @alice/ }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL((u) => u.href.startsWith(web.url), { timeout: 30000 });
  const got = await page.evaluate(async () => {
    const { load } = await import("/npm/index.js");
    const mx = await load();
    const { session } = await mx.completeLogin();
    return { completed: session.deviceId, now: (await mx.session())?.deviceId };
  });
  assert.equal(got.now, got.completed, "session() names the device completeLogin did");
  return { asked, deviceId: got.completed };
}

async function signOut(page) {
  await page.evaluate(async () => {
    const { load } = await import("/npm/index.js");
    const mx = await load();
    await mx.logout();
    if (await mx.session()) throw new Error("still signed in after logout()");
  });
}

test("signing out and in again keeps the device; deviceId \"new\" does not", async () => {
  const page = await chrome.ctx.newPage();
  const first = await signIn(page, {});
  assert.ok(first.deviceId, "a first device");
  await signOut(page);

  const again = await signIn(page, {});
  assert.equal(again.asked, first.deviceId, "the login asked for the previous device");
  assert.equal(again.deviceId, first.deviceId, "session() has the previous device");
  await signOut(page);

  const fresh = await signIn(page, { deviceId: "new" });
  assert.notEqual(fresh.deviceId, first.deviceId, "deviceId \"new\" got another device");
  await signOut(page);
  await page.close();
});
