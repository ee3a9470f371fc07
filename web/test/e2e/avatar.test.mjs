// Authenticated avatars in Debian's Chromium against the sandbox (issue
// 16): a room card shows the room's real avatar when the page has a
// session on the room's server — fetched by session.wasm with the token
// (authenticated media) and drawn from a blob: URL, never a URL with the
// token — and its initials when signed out or when the media is missing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { sandbox, serve, browser, here, npmDir, until, loginReady } from "./harness.mjs";

let hs, web, chrome;
before(async () => {
  hs = await sandbox(["--auto-approve", "alice", "--control"]);
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  chrome = await browser();
});
after(async () => { await chrome?.close(); web?.close(); hs?.stop(); });

const THUMB = "/_matrix/client/v1/media/thumbnail/";

// card reads the card once its preview settled: the avatar's text and
// image.
async function card(page) {
  await until(page, () => document.querySelector("#card")?.shadowRoot?.querySelector('[aria-busy="false"]'));
  return page.$eval("#card", (el) => {
    const av = el.shadowRoot.querySelector('[part="avatar"]');
    const img = av.querySelector("img");
    return { text: av.textContent, src: img?.getAttribute("src") || null, drawn: img ? img.naturalWidth : 0 };
  });
}

const open = (page) => page.goto(`${web.url}/avatar.html`);

test("a signed-in card shows the real avatar from a blob:, initials otherwise", async () => {
  const page = await chrome.ctx.newPage();
  const thumbs = [];
  page.on("request", async (r) => {
    if (r.url().startsWith(hs.url + THUMB) && r.method() === "GET") {
      thumbs.push({ url: r.url(), auth: (await r.allHeaders()).authorization || "" });
    }
  });

  // Signed out: initials, and no media request at all.
  await open(page);
  let got = await card(page);
  assert.equal(got.src, null, "no image while signed out");
  const initials = got.text;
  assert.match(initials, /^\p{Lu}{1,2}$/u, "the room's initials");
  await loginReady(page);
  assert.equal(thumbs.length, 0, "no thumbnail asked while signed out");

  // Sign in through the element (the sandbox approves at once) and come back.
  await page.evaluate(() => document.querySelector("#login").shadowRoot.querySelector('[part~="continue"]').click());
  await until(page, () => globalThis.hostSeen?.sessions.length > 0);

  // The media is missing (404): initials. (Asked before any 200, which the
  // browser caches, as it should for avatars.)
  await fetch(`${hs.url}/_sandbox/faults`, { method: "POST", body: JSON.stringify({ path: "/_matrix/client/v1/media/thumbnail/*", status: 404 }) });
  const answered = page.waitForResponse((r) => r.url().startsWith(hs.url + THUMB) && r.request().method() === "GET");
  await open(page);
  assert.equal((await answered).status(), 404);
  await page.waitForTimeout(300); // the card had its chance to draw
  got = await card(page);
  assert.equal(got.src, null, "no image for missing media");
  assert.equal(got.text, initials);
  await fetch(`${hs.url}/_sandbox/faults`, { method: "DELETE" });

  await open(page);
  await until(page, () => document.querySelector("#card")?.shadowRoot?.querySelector('[part="avatar"] img')?.naturalWidth > 0);
  got = await card(page);
  assert.match(got.src, /^blob:/, "the image is drawn from a blob: URL");
  assert.ok(got.drawn > 0, "the image decoded");
  const last = thumbs.at(-1);
  assert.match(last.auth, /^Bearer \S+/, "the thumbnail request carried the token");
  assert.match(last.url, /width=96&height=96&method=crop$/);
  const token = last.auth.slice("Bearer ".length);
  const html = await page.$eval("#card", (el) => el.shadowRoot.innerHTML);
  assert.ok(!html.includes(token), "the token is nowhere in the card");
  // The object URL is revoked once drawn: fetching it fails.
  assert.equal(await page.evaluate((u) => fetch(u).then(() => "open", () => "revoked"), got.src), "revoked");

  // Signed out again: initials, no request.
  const before = thumbs.length;
  await page.evaluate(async () => (await globalThis.hostMx).logout());
  await open(page);
  got = await card(page);
  await loginReady(page);
  assert.equal(got.src, null, "no image after sign-out");
  assert.equal(thumbs.length, before, "no thumbnail asked after sign-out");
  await page.close();
});
