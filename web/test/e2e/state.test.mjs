// App state through the redirect, the second completeLogin and the login
// element's login_hint, in Debian's Chromium against the sandbox (issue 16).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sandbox, serve, browser, here, npmDir, until } from "./harness.mjs";

let hs, web, chrome;
before(async () => {
  hs = await sandbox(["--control"]);
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  chrome = await browser();
});
after(async () => { await chrome?.close(); web?.close(); hs?.stop(); });

// approve signs in as alice on the sandbox's pages and waits for the way back.
async function approve(page) {
  await page.waitForURL((u) => u.href.startsWith(hs.url), { timeout: 30000 });
  await page.getByRole("button", { name: /Continue as @alice/ }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL((u) => u.href.startsWith(web.url), { timeout: 30000 });
}

test("login({ state }) comes back from completeLogin, never in a URL; a second call gets the same", async () => {
  const page = await chrome.ctx.newPage();
  const urls = [];
  page.on("request", (r) => urls.push(r.url()));
  await page.goto(`${web.url}/blank.html`);
  await page.evaluate(async (server) => {
    const { load } = await import("/npm/index.js");
    const mx = await load();
    // The page leaves: login() never resolves.
    mx.login({ server, redirectUri: location.origin + "/blank.html", client: { name: "State test", uri: "https://state.example.org" },
      state: { returnTo: "/rooms/42?tab=files", draft: "unsent words" } });
  }, hs.url);
  await approve(page);
  const r = await page.evaluate(async () => {
    const { load } = await import("/npm/index.js");
    const mx = await load();
    const a = await mx.completeLogin();
    const b = await mx.completeLogin(); // the address bar is clean by now
    return { user: a.session.userId, state: a.state, same: a === b, href: location.href, token: "accessToken" in a.session };
  });
  assert.equal(r.user, `@alice:${hs.serverName}`);
  assert.deepEqual(r.state, { returnTo: "/rooms/42?tab=files", draft: "unsent words" });
  assert.equal(r.same, true, "a second completeLogin resolves to the first one's result");
  assert.doesNotMatch(r.href, /code=|state=/);
  assert.equal(r.token, false);
  for (const u of urls) assert.doesNotMatch(decodeURIComponent(u), /unsent words|rooms\/42/, `the state travelled in ${u}`);
  await page.evaluate(async () => (await (await import("/npm/index.js")).load()).logout());
  await page.close();
});

test("a typed user id starts the server's sign-in page on that account (login_hint)", async () => {
  const page = await chrome.ctx.newPage();
  await page.goto(`${web.url}/blank.html`);
  await page.evaluate(async () => {
    await import("/npm/elements.js");
    const el = document.createElement("mxauth-login");
    el.id = "login";
    el.setAttribute("client-name", "Hint test");
    el.setAttribute("client-uri", "https://hint.example.org");
    document.body.append(el);
  });
  const input = page.locator("#login").locator('[part~="input"]');
  await until(page, () => !document.querySelector("#login")?.shadowRoot?.querySelector("input")?.disabled);
  await input.fill(`@bob:${hs.serverName}`);
  await input.press("Enter"); // discover
  await until(page, () => document.querySelector("#login").shadowRoot.querySelector('[part~="continue"]').textContent.startsWith("Continue with"));
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(hs.url) && r.url().includes("response_type=code")),
    page.locator("#login").locator('[part~="continue"]').click(),
  ]);
  assert.equal(new URL(request.url()).searchParams.get("login_hint"), `mxid:@bob:${hs.serverName}`);
  // The sandbox's page puts the hinted account first.
  await page.waitForURL((u) => u.href.startsWith(hs.url), { timeout: 30000 });
  assert.match(await page.locator("button.primary").textContent(), /Continue as @bob/);
  await page.close();
});

test("<mxauth-login callback=\"page\"> leaves the callback to the page and follows its sign-in", async () => {
  const page = await chrome.ctx.newPage();
  await page.goto(`${web.url}/blank.html`);
  await page.evaluate(async (server) => {
    const { load } = await import("/npm/index.js");
    (await load()).login({ server, redirectUri: location.origin + "/blank.html", client: { name: "Callback test", uri: "https://cb.example.org" } });
  }, hs.url);
  await approve(page);
  const r = await page.evaluate(async () => {
    await import("/npm/elements.js");
    const el = document.createElement("mxauth-login");
    el.id = "login";
    el.setAttribute("callback", "page");
    document.body.append(el);
    await new Promise((ok) => setTimeout(ok, 1000));
    const untouched = /[#&?]code=/.test(location.href);
    const { load } = await import("/npm/index.js");
    const { session } = await (await load()).completeLogin();
    return { untouched, user: session.userId };
  });
  assert.equal(r.untouched, true, "the element did not take the callback");
  assert.equal(r.user, `@alice:${hs.serverName}`);
  await until(page, () => /Signed in/.test(document.querySelector("#login").shadowRoot.textContent));
  await page.evaluate(async () => (await (await import("/npm/index.js")).load()).logout());
  await page.close();
});
