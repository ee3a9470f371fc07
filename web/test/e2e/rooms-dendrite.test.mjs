// Room cards against a sandbox that answers rooms as Dendrite does (no
// room_summary, GET /publicRooms without a token, /hierarchy 403 to
// non-members): five cards of one server on a page ask each missing
// endpoint once (single flight), and a private room stays hidden.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { sandbox, serve, browser, shadowInfo, here, npmDir, results } from "./harness.mjs";

let hs, web, chrome;
before(async () => {
  mkdirSync(results, { recursive: true });
  hs = await sandbox(["--dendrite-like", "--off", "room-summary,unstable-summary,unstable-summary-rooms"]);
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  chrome = await browser();
});
after(async () => { await chrome?.close(); web?.close(); hs?.stop(); });

test("five cards of a Dendrite-like server: each missing endpoint asked once", async () => {
  const page = await chrome.ctx.newPage();
  const missing = [];
  page.on("response", (r) => { if (r.status() === 404 && r.url().includes("/_matrix/")) missing.push(r.url()); });
  await page.goto(`${web.url}/cards.html`);
  for (const id of ["c1", "c2", "c3", "c4", "c5"]) {
    await page.waitForFunction((s) => document.querySelector(s)?.shadowRoot?.querySelector('[aria-busy="false"]'), `#${id}`, { timeout: 30000 });
  }
  const one = await shadowInfo(page, "#c1");
  assert.equal(one.name, "Sandbox Lobby");
  const hidden = await shadowInfo(page, "#c5");
  assert.doesNotMatch(JSON.stringify(hidden), /Private Planning/, "the private room's name leaked");
  await page.screenshot({ path: join(results, "rooms-dendrite.png"), fullPage: true });
  // room_summary, the two unstable paths: once each for the page; the
  // private room's alias resolves (aliases are public) but is not listed.
  const paths = missing.map((u) => new URL(u).pathname.replace(/[^/]*%23[^/]*/, "ROOM"));
  const summaryPaths = paths.filter((p) => p.includes("summary"));
  assert.equal(summaryPaths.length, 3, `404s of the summary paths: ${JSON.stringify(paths)}`);
  await page.close();
});
