// The loader's two roles (issue 11) in Debian's Chromium: the small build
// answers a signed-out page alone; the session build starts on a callback
// page, when a session is stored, or when a method needs it; one build
// serving both roles is fetched once. Until the Go split lands, the
// session role's own file is a copy of mxauth.wasm served as session.wasm.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { sandbox, serve, browser, here, npmDir, until, loginReady, sessionShows } from "./harness.mjs";

let hs, web, chrome;

before(async () => {
  hs = await sandbox(["--control"]);
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  chrome = await browser();
  // load({ sessionWasmUrl }) pointing elsewhere: the session build, renamed.
  await chrome.ctx.route("**/elsewhere/renamed.wasm", (route) =>
    route.fulfill({ path: join(npmDir, "session.wasm"), contentType: "application/wasm" }));
});
after(async () => { await chrome?.close(); web?.close(); hs?.stop(); });

// watch records the .wasm files a page asks for, by name.
function watch(p) {
  const wasm = [];
  p.on("request", (r) => { if (r.url().endsWith(".wasm")) wasm.push(new URL(r.url()).pathname.split("/").pop()); });
  p.errors = [];
  p.on("pageerror", (e) => p.errors.push(e.message));
  return wasm;
}
const cardShown = (p) => until(p, () => document.querySelector("#public")?.shadowRoot?.querySelector('[aria-busy="false"]'));
const alice = () => `@alice:${hs.serverName}`;

let page, wasm;

test("a signed-out page with login and a room card fetches the small build only", async () => {
  page = await chrome.ctx.newPage();
  wasm = watch(page);
  await page.goto(`${web.url}/split.html`);
  await loginReady(page);
  await cardShown(page);
  await sessionShows(page, "Not signed in");
  await page.waitForTimeout(500); // the stored-session check runs after the first calls
  assert.deepEqual(wasm, ["mxauth.wasm"]);
  assert.deepEqual(page.errors, []);
});

test("the callback page starts the session build and signs in; one session event", async () => {
  await page.locator("#login").locator('[part~="continue"]').click();
  await page.waitForURL((u) => u.href.startsWith(hs.url), { timeout: 30000 });
  wasm.length = 0;
  await page.getByRole("button", { name: /Continue as @alice/ }).click();
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL((u) => u.href.startsWith(web.url), { timeout: 30000 });
  await sessionShows(page, alice());
  await until(page, () => globalThis.hostSeen.apiSessions.length > 0);
  await page.waitForTimeout(500); // a duplicate from the other build would come now
  assert.deepEqual(wasm, ["session.wasm"], "the callback page needs the session build alone");
  assert.deepEqual(await page.evaluate(() => globalThis.hostSeen.apiSessions), [alice()],
    "the API's listeners hear the sign-in once, though both builds see it");
  assert.equal(await page.evaluate(() => globalThis.hostSeen.sessions.length), 1);
  assert.deepEqual(page.errors, []);
});

test("a page with a stored session starts the session build alone; its methods work", async () => {
  wasm.length = 0;
  await page.reload();
  await sessionShows(page, alice());
  await page.waitForTimeout(500);
  assert.deepEqual(wasm, ["session.wasm"]);
  const r = await page.evaluate(async () => {
    const mx = await globalThis.hostMx;
    return { token: typeof await mx.accessToken(), user: (await mx.session())?.userId, storage: mx.storage };
  });
  assert.deepEqual(r, { token: "string", user: alice(), storage: "indexeddb" });
  // Without the hint, the small build finds the stored session and starts
  // the session build after it.
  await page.evaluate(() => localStorage.removeItem("mxauth:signed-in"));
  wasm.length = 0;
  await page.reload();
  await sessionShows(page, alice());
  await until(page, () => performance.getEntriesByType("resource").some((e) => e.name.endsWith("/session.wasm")));
  assert.deepEqual(wasm.sort(), ["mxauth.wasm", "session.wasm"]);
  await until(page, () => localStorage.getItem("mxauth:signed-in") === "1");
});

test("each build is fetched once, however many elements and calls use it", async () => {
  const p = await chrome.ctx.newPage();
  const w = watch(p);
  await p.goto(`${web.url}/login.html`);
  await sessionShows(p, alice());
  const r = await p.evaluate(async () => {
    const mx = await globalThis.hostMx;
    const [a, b] = await Promise.all([mx.accessToken(), mx.accessToken()]);
    await mx.session();
    await mx.discover(globalThis.location.origin).catch(() => {});
    return typeof a === "string" && a === b;
  });
  assert.equal(r, true);
  assert.deepEqual(w, ["session.wasm"]);
  assert.deepEqual(p.errors, []);
  await p.close();
});

test("load({ sessionWasmUrl }) takes the session build from there", async () => {
  const p = await chrome.ctx.newPage();
  const w = watch(p);
  await p.goto(`${web.url}/blank.html`);
  const user = await p.evaluate(async () => {
    const { load } = await import("/npm/index.js");
    const mx = await load({ sessionWasmUrl: "/elsewhere/renamed.wasm" });
    await mx.accessToken();
    return (await mx.session())?.userId;
  });
  assert.equal(user, alice());
  assert.deepEqual(w, ["renamed.wasm"]);
  assert.deepEqual(p.errors, []);
  await p.close();
});

test("logout through the session build signs the page out", async () => {
  await page.locator("#session").locator('[part~="signout"]').click();
  await sessionShows(page, "Not signed in");
  await loginReady(page);
  assert.equal(await page.evaluate(async () => (await globalThis.hostMx).session()), null);
  // Since the reload: the refresh of accessToken (access tokens live in
  // memory), then the logout; never the same state twice in a row.
  const heard = await page.evaluate(() => globalThis.hostSeen.apiSessions);
  assert.equal(heard.at(-1), null, JSON.stringify(heard));
  assert.ok(heard.every((s, i) => i === 0 || s !== heard[i - 1] || s === alice()), JSON.stringify(heard));
  assert.deepEqual(page.errors, []);
  // Signed out, the next page is a signed-out page again: the small build.
  wasm.length = 0;
  await page.reload();
  await loginReady(page);
  await sessionShows(page, "Not signed in");
  await page.waitForTimeout(500);
  assert.deepEqual(wasm, ["mxauth.wasm"]);
});

test("a stale hint costs the session build once, then the small build is back", async () => {
  const p = await chrome.ctx.newPage();
  const w = watch(p);
  await p.goto(`${web.url}/blank.html`);
  // A hint without a session (the session ended elsewhere): the session
  // build answers, finds nobody and the hint goes.
  await p.evaluate(() => localStorage.setItem("mxauth:signed-in", "1"));
  await p.goto(`${web.url}/split.html`);
  await loginReady(p);
  await sessionShows(p, "Not signed in");
  await until(p, () => localStorage.getItem("mxauth:signed-in") === null);
  assert.deepEqual(w, ["session.wasm"]);
  w.length = 0;
  await p.reload();
  await loginReady(p);
  await p.waitForTimeout(500);
  assert.deepEqual(w, ["mxauth.wasm"]);
  await p.close();
});

test("load() called again with other options warns and keeps the first", async () => {
  const p = await chrome.ctx.newPage();
  watch(p);
  const warnings = [];
  p.on("console", (m) => { if (m.type() === "warning") warnings.push(m.text()); });
  await p.goto(`${web.url}/blank.html`);
  const got = await p.evaluate(async () => {
    const { load } = await import("/npm/index.js");
    const a = await load({ storage: "memory" });
    const heard = [];
    a.addEventListener("error", ({ detail }) => heard.push([detail.code, detail.details?.reason]));
    const b = await load({ storage: "memory" });
    const c = await load({ storage: "indexeddb" });
    await new Promise((r) => setTimeout(r, 50));
    return { same: a === b && b === c && a.storage === "memory", heard };
  });
  assert.equal(got.same, true);
  assert.deepEqual(got.heard, [["invalid_input", "load_options_ignored"]], "the API's error listeners hear it too");
  assert.equal(warnings.filter((w) => /load\(\) was called again/.test(w)).length, 1);
  await p.close();
});

test("mxauth/preview alone registers the room elements and pulls only the small build", async () => {
  const p = await chrome.ctx.newPage();
  const w = watch(p);
  const js = [];
  p.on("request", (r) => { if (r.url().endsWith(".js")) js.push(new URL(r.url()).pathname.split("/").pop()); });
  await p.goto(`${web.url}/blank.html`);
  await p.evaluate(async (hs) => {
    const el = document.createElement("mxauth-room-card");
    el.id = "public";
    el.setAttribute("room", `#public:${hs}`);
    el.setAttribute("server", `http://${hs}`);
    document.body.append(el);
    await import("/npm/preview.js");
  }, hs.serverName);
  await cardShown(p);
  assert.equal(await p.$eval("#public", (el) => el.shadowRoot.querySelector(".name").textContent), "Sandbox Lobby");
  assert.deepEqual(w, ["mxauth.wasm"]);
  assert.ok(!js.includes("index.js") && !js.includes("elements.js"), `modules: ${js}`);
  assert.deepEqual(p.errors, []);
  await p.close();
});
