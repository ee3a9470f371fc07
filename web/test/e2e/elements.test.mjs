// The room elements of the npm package (dist/npm) in Debian's Chromium,
// against the sandbox homeserver, on a host page under a strict CSP.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { sandbox, serve, browser, shadowInfo, here, root, npmDir, results } from "./harness.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
let hs, web, chrome;

before(async () => {
  mkdirSync(results, { recursive: true });
  hs = await sandbox();
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  chrome = await browser();
});
after(async () => { await chrome?.close(); web?.close(); hs?.stop(); });

// open loads the host page; alert() of an injected script would set
// window.__xss, and a dialog would be recorded.
async function open(route) {
  const page = await chrome.ctx.newPage();
  const seen = { dialogs: 0, wasm: 0, errors: [] };
  page.on("dialog", (d) => { seen.dialogs++; d.dismiss(); });
  page.on("pageerror", (e) => seen.errors.push(e.message));
  page.on("request", (r) => { if (r.url().endsWith(".wasm")) seen.wasm++; });
  await page.addInitScript(() => { window.alert = () => { window.__xss = true; }; });
  if (route) await page.route("**/npm/mxauth.wasm", route);
  return { page, seen };
}
const loaded = (page, sel) => page.waitForFunction(
  (s) => document.querySelector(s)?.shadowRoot?.querySelector('[aria-busy="false"]'), sel, { timeout: 30000 });

test("the shell is painted before the WASM is ready", async () => {
  let release;
  const gate = new Promise((r) => { release = r; });
  const { page } = await open(async (route) => { await gate; await route.continue(); });
  await page.goto(`${web.url}/host.html`);
  await page.waitForFunction(() => document.querySelector("#public")?.shadowRoot?.querySelector(".card"));
  const shell = await shadowInfo(page, "#public");
  assert.equal(shell.busy, "true");
  assert.equal(shell.name, `#public:${hs.serverName}`);
  assert.match(shell.status, /Loading room preview/);
  assert.equal(await page.$eval("#badge", (el) => el.shadowRoot.querySelector(".badge")?.getAttribute("aria-label")), "chat: loading");
  await page.screenshot({ path: join(results, "elements-shell.png"), fullPage: true });
  release();
  await loaded(page, "#public");
  await page.close();
});

for (const scheme of ["light", "dark"]) {
  test(`host page with room card, hostile room and badge (${scheme})`, async () => {
    const { page, seen } = await open();
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${web.url}/host.html`);
    await loaded(page, "#public");
    await loaded(page, "#hostile");
    await page.waitForFunction(() => document.querySelector("#badge").shadowRoot.querySelector("svg"), null, { timeout: 30000 });

    const pub = await shadowInfo(page, "#public");
    assert.equal(pub.name, "Sandbox Lobby");
    assert.match(pub.topic, /public room of the mxauth sandbox/);
    assert.equal(pub.members, "1.2k members");
    assert.match(pub.link, /^https:\/\/matrix\.to\/#\//);

    const bad = await shadowInfo(page, "#hostile");
    assert.match(bad.name, /<img src=x onerror=alert\(1\)><script>alert\(1\)<\/script>/, "name shown as text");
    assert.equal(bad.imgs, 0, "no <img> in the shadow root");
    assert.equal(bad.scripts, 0, "no <script> in the shadow root");
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__xss === true), false, "no script ran");
    assert.equal(seen.dialogs, 0);

    const badge = await page.$eval("#badge", (el) => el.shadowRoot.querySelector(".badge").getAttribute("aria-label"));
    assert.match(badge, /chat/);
    assert.equal(seen.wasm, 1, "one mxauth.wasm for the whole page");
    assert.deepEqual(seen.errors, []);

    // The host page's DOM outside the elements is as the HTML made it
    // (shadow roots are not part of outerHTML; the hosts' attributes are).
    const after = await page.evaluate(() => document.documentElement.outerHTML);
    const raw = readFileSync(join(here, "host.html"), "utf8").replaceAll("{{HS}}", hs.serverName);
    const parsed = await page.evaluate((html) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      return doc.documentElement.outerHTML;
    }, raw);
    assert.equal(after, parsed, "the host DOM is unchanged");

    // axe-core in the elements (it walks their shadow roots).
    await page.evaluate(axeSource);
    const axe = await page.evaluate(() => globalThis.axe.run(
      { include: [["#public"], ["#hostile"], ["#badge"]] }, { resultTypes: ["violations"] })
      .then((r) => r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)));
    assert.deepEqual(axe, [], "axe violations");

    // Keyboard: the card's link is reachable with Tab.
    const tabbable = await page.$eval("#public", (el) => el.shadowRoot.querySelector("a").tabIndex);
    assert.equal(tabbable, 0);

    await page.screenshot({ path: join(results, `elements-${scheme}.png`), fullPage: true });
    await page.close();
  });
}

// The card draws the view decided in Go (auth/room's Card): each row of
// auth/room/testdata/cardview.json, served as a room's summary, shows the
// title, initials, colour and member counts that Go's tests (auth/room,
// app) hold the demo to. The element computes none of them itself.
test("the card draws Go's view of a summary (cardview.json)", async () => {
  const cases = JSON.parse(readFileSync(join(root, "auth/room/testdata/cardview.json"), "utf8"));
  const { page, seen } = await open();
  await page.route(`http://${hs.serverName}/_matrix/client/v1/room_summary/**`, (route) => {
    const id = decodeURIComponent(new URL(route.request().url()).pathname.split("/").pop());
    const c = cases.find((c) => c.summary.roomId === id);
    if (!c) return route.continue();
    return route.fulfill({ status: 200, contentType: "application/json", headers: { "Access-Control-Allow-Origin": "*" },
      body: JSON.stringify({ room_id: id, name: c.summary.name, canonical_alias: c.summary.canonicalAlias,
        num_joined_members: c.summary.numJoinedMembers, guest_can_join: false, world_readable: true, join_rule: "public" }) });
  });
  await page.goto(`${web.url}/view.html`);
  await page.evaluate(({ cases, server }) => {
    for (const [i, c] of cases.entries()) {
      const el = document.createElement("mxauth-room-card");
      el.id = `v${i}`;
      el.setAttribute("room", c.summary.roomId);
      el.setAttribute("server", server);
      document.querySelector("#cards").append(el);
    }
  }, { cases, server: `http://${hs.serverName}` });
  const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
  for (const [i, c] of cases.entries()) {
    await loaded(page, `#v${i}`);
    const got = await page.$eval(`#v${i}`, (el) => {
      const r = el.shadowRoot, av = r.querySelector('[part="avatar"]'), m = r.querySelector('[part="members"]');
      return { title: r.querySelector(".name").textContent, initials: av.textContent, color: getComputedStyle(av).backgroundColor,
        members: m.textContent, membersTitle: m.title, status: r.querySelector(".st").textContent };
    });
    assert.deepEqual(got, { ...c.view, color: rgb(c.view.color), status: "" }, `row ${i} (${c.summary.roomId})`);
  }
  assert.deepEqual(seen.errors, []);
  await page.screenshot({ path: join(results, "elements-view.png"), fullPage: true });
  await page.close();
});

test("one instance per page; the loader rejects with MxAuthError", async () => {
  const { page } = await open();
  await page.goto(`${web.url}/blank.html`);
  const r = await page.evaluate(async () => {
    const m = await import("/npm/preview.js");
    let err;
    try { await m.load({ wasmUrl: "/npm/missing.wasm" }); } catch (e) { err = e; }
    const a = await m.load(), b = await m.load();
    return { name: err?.name, code: err?.code, status: err?.status, inst: err instanceof m.MxAuthError, same: a === b,
      keys: Object.keys(a).sort(), globals: Object.keys(globalThis).filter((k) => /mxauth/i.test(k)) };
  });
  assert.deepEqual(r, { name: "MxAuthError", code: "network", status: 404, inst: true, same: true,
    keys: ["roomBadge", "roomSummary"], globals: [] });
  const e = await page.evaluate(async (room) => {
    const m = await import("/npm/preview.js");
    try { await (await m.load()).roomSummary(room); } catch (e) { return { name: e.name, code: e.code, inst: e instanceof m.MxAuthError }; }
  }, `#nope:${hs.serverName}`);
  assert.equal(e.name, "MxAuthError");
  assert.equal(e.inst, true);
  assert.ok(e.code, "has a code");
  await page.close();
});

test("fallback when the server does not send application/wasm", async () => {
  const { page } = await open(async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), "content-type": "application/octet-stream" } });
  });
  await page.goto(`${web.url}/host.html`);
  await loaded(page, "#public");
  assert.equal((await shadowInfo(page, "#public")).name, "Sandbox Lobby");
  await page.close();
});

test("a card whose room is unknown shows why and fires mxauth-error", async () => {
  const { page } = await open();
  await page.goto(`${web.url}/blank.html`);
  const r = await page.evaluate(async (room) => {
    await import("/npm/elements.js");
    const el = document.createElement("mxauth-room-card");
    const ev = new Promise((ok) => el.addEventListener("mxauth-error", (e) => ok(e.detail.code)));
    el.setAttribute("room", room);
    document.body.append(el);
    const code = await ev;
    return { code, status: el.shadowRoot.querySelector(".st").textContent };
  }, `#nope:${hs.serverName}`);
  assert.equal(r.code, "not_found");
  assert.equal(r.status, "This room is private or does not exist.", "words for people; the code is in the event");
  await page.close();
});

test("theme attribute and documented colour properties", async () => {
  const { page } = await open();
  await page.goto(`${web.url}/blank.html`);
  const bg = () => page.evaluate(async () => {
    await import("/npm/elements.js");
    const out = {};
    for (const theme of ["", "light", "dark", "auto"]) {
      const el = document.createElement("mxauth-room-card");
      if (theme) el.setAttribute("theme", theme);
      el.setAttribute("room", "#x:example.org");
      document.body.append(el);
      await new Promise((r) => setTimeout(r, 20));
      out[theme || "none"] = getComputedStyle(el.shadowRoot.querySelector(".card")).backgroundColor;
      el.style.setProperty("--mxauth-bg", "rgb(1, 2, 3)");
      out[(theme || "none") + "+prop"] = getComputedStyle(el.shadowRoot.querySelector(".card")).backgroundColor;
      el.remove();
    }
    return out;
  });
  const white = "rgb(255, 255, 255)", dark = "rgb(28, 31, 38)", own = "rgb(1, 2, 3)";
  await page.emulateMedia({ colorScheme: "light" });
  assert.deepEqual(await bg(), { none: white, light: white, dark, auto: white,
    "none+prop": own, "light+prop": own, "dark+prop": own, "auto+prop": own });
  await page.emulateMedia({ colorScheme: "dark" });
  assert.deepEqual(await bg(), { none: dark, light: white, dark, auto: dark,
    "none+prop": own, "light+prop": own, "dark+prop": own, "auto+prop": own });
  await page.close();
});
