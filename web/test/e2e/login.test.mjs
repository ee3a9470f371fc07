// Sign-in with <mxauth-login> and <mxauth-session> from dist/npm in Debian's
// Chromium, against the sandbox's real authorize page: the IndexedDB store
// sealed with WebCrypto, Web Locks and the BroadcastChannel between tabs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { sandbox, serve, browser, here, npmDir, results, until, loginReady, sessionShows } from "./harness.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const TTL = 5000; // the sandbox's access token lifetime (ms)
let hs, web, chrome, page;

before(async () => {
  mkdirSync(results, { recursive: true });
  hs = await sandbox(["--control", "--token-ttl", `${TTL / 1000}s`, "--prompt-create"]);
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  chrome = await browser();
});
after(async () => { await chrome?.close(); web?.close(); hs?.stop(); });

const control = (path, method = "GET", body) => fetch(`${hs.url}/_sandbox/${path}`,
  { method, body: body && JSON.stringify(body), headers: body ? { "Content-Type": "application/json" } : {} })
  .then((r) => r.json());
const shot = (p, name) => p.screenshot({ path: join(results, `login-${name}.png`), fullPage: true });

// open loads the login host page in a new tab of the one browser context.
async function open(path = "/login.html") {
  const p = await chrome.ctx.newPage();
  p.errors = [];
  p.warnings = [];
  p.on("pageerror", (e) => p.errors.push(e.message));
  p.on("console", (m) => {
    if (m.type() === "error" && !/^Failed to load resource/.test(m.text())) p.errors.push(m.text());
    if (m.type() === "warning") p.warnings.push(m.text());
  });
  await p.goto(web.url + path);
  return p;
}
// inside reads facts from an element's shadow root.
const inside = (p, sel) => p.$eval(sel, (el) => {
  const r = el.shadowRoot, q = (s) => r.querySelector(s);
  const vis = (e) => !!e && !e.closest("[hidden]");
  return {
    busy: q("[aria-busy]")?.getAttribute("aria-busy"), title: q('[part~="title"],[part~="label"]')?.textContent,
    name: q(".name")?.textContent, status: q('[role="status"]')?.textContent, error: q('[role="alert"]')?.textContent,
    continue: vis(q('[part~="continue"]')) ? q('[part~="continue"]').textContent : null,
    continueDisabled: q('[part~="continue"]')?.disabled,
    create: vis(q('[part~="create"]')), input: vis(q("input")), password: r.querySelectorAll('input[type="password"]').length,
    signout: vis(q('[part~="signout"]')), manage: vis(q('[part~="manage"]')) ? q('[part~="manage"]').href : null,
  };
});
const callMx = (p, method, ...args) => p.evaluate(async ([m, a]) => {
  const mx = await globalThis.hostMx;
  try { return { ok: await mx[m](...a) }; } catch (e) { return { err: { name: e.name, code: e.code, message: e.message } }; }
}, [method, args]);

// signIn clicks through the sandbox's authorize page as alice.
async function signIn(p, { screenshots = false } = {}) {
  await loginReady(p);
  // By keyboard: focus the button and press Enter (the form's submit).
  await p.locator("#login").locator('[part~="continue"]').focus();
  await p.keyboard.press("Enter");
  await p.waitForURL((u) => u.href.startsWith(hs.url), { timeout: 30000 });
  if (screenshots) await p.screenshot({ path: join(results, "login-sandbox-authorize.png") });
  await p.getByRole("button", { name: /Continue as @alice/ }).click();
  await p.getByRole("button", { name: "Allow" }).waitFor();
  if (screenshots) await p.screenshot({ path: join(results, "login-sandbox-consent.png") });
  await p.getByRole("button", { name: "Allow" }).click();
  await p.waitForURL((u) => u.href.startsWith(web.url), { timeout: 30000 });
}

const alice = () => `@alice:${hs.serverName}`;
let callbackURL, tokens;

test("the login element shows discovery and the server's buttons", async () => {
  page = await open();
  await loginReady(page);
  const l = await inside(page, "#login");
  assert.equal(l.continue, `Continue with ${hs.serverName}`);
  assert.equal(l.create, true, "--prompt-create: Create account is offered");
  assert.equal(l.password, 0, "never a password form");
  assert.equal(l.input, true, "a server field");
  assert.equal(l.busy, "false");
  const s = await inside(page, "#session");
  assert.equal(s.name, "Not signed in");
  assert.equal(s.signout, false);
  // Keyboard: Tab goes from the server field to Continue, then Create account.
  await page.locator("#login").locator("input").focus();
  const focused = [];
  for (let i = 0; i < 2; i++) {
    await page.keyboard.press("Tab");
    focused.push(await page.$eval("#login", (el) => el.shadowRoot.activeElement?.getAttribute("part")));
  }
  assert.deepEqual(focused, ["button continue", "button create"]);
  // The input has a label; progress and errors are live regions.
  const a11y = await page.$eval("#login", (el) => {
    const r = el.shadowRoot;
    return { label: r.querySelector(`label[for="${r.querySelector("input").id}"]`)?.textContent,
      live: [...r.querySelectorAll('[role="status"],[role="alert"]')].length };
  });
  assert.deepEqual(a11y, { label: "Homeserver", live: 2 });
  await shot(page, "ready-light");
});

test("sign in through the sandbox's authorize page", async () => {
  let seenCallback;
  page.on("framenavigated", (f) => { if (f === page.mainFrame() && /[#&]code=/.test(f.url())) seenCallback = f.url(); });
  await signIn(page, { screenshots: true });
  await until(page, () => globalThis.hostSeen?.sessions.length === 1);
  callbackURL = seenCallback;
  assert.match(callbackURL || "", /#.*code=.*state=/, "the answer came back in the fragment");
  const ev = await page.evaluate(() => globalThis.hostSeen.sessions[0]);
  assert.equal(ev.userId, alice());
  assert.doesNotMatch(page.url(), /code=|state=/, "completeLogin removed code and state from the address bar");
  await sessionShows(page, alice());
  const s = await inside(page, "#session");
  assert.equal(s.signout, true);
  assert.match(s.manage || "", /^http:\/\/127\.0\.0\.1:\d+\//, "Manage account links to the account page");
  const l = await inside(page, "#login");
  assert.equal(l.status, "You are signed in.", "the login element leaves who to <mxauth-session>");
  assert.deepEqual(page.errors, []);
  // The host page's DOM outside the elements is as its HTML made it.
  const raw = readFileSync(join(here, "login.html"), "utf8").replaceAll("{{HS}}", hs.serverName);
  const [now, parsed] = await page.evaluate((html) => [document.documentElement.outerHTML,
    new DOMParser().parseFromString(html, "text/html").documentElement.outerHTML], raw);
  assert.equal(now, parsed, "the host DOM is unchanged");
  await shot(page, "signed-in-light");
});

// issued lists every token the sandbox has issued (its control plane).
const issued = () => control("tokens");

test("the stored IndexedDB data holds no plaintext token", async () => {
  // accessToken first: with the sandbox's 5 s tokens it refreshes.
  const access = (await callMx(page, "accessToken")).ok;
  const real = await issued();
  assert.ok(access && real.access.includes(access), "the page got a real access token");
  assert.ok(real.refresh.length > 0, "the sandbox issued refresh tokens");
  tokens = { access: real.access, refresh: real.refresh };
  const dump = await page.evaluate(async () => {
    const out = [];
    const text = async (v, depth = 0) => {
      if (v == null || depth > 6) return "";
      if (typeof v === "string") return v;
      if (typeof v !== "object") return String(v);
      if (v instanceof Blob) return new TextDecoder("latin1").decode(await v.arrayBuffer());
      if (v instanceof ArrayBuffer) return new TextDecoder("latin1").decode(v);
      if (ArrayBuffer.isView(v)) return new TextDecoder("latin1").decode(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
      if (v instanceof CryptoKey) return `[CryptoKey extractable=${v.extractable}]`;
      let s = "";
      for (const k of Object.keys(v)) s += k + "=" + await text(v[k], depth + 1) + "\n";
      return s;
    };
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((ok, fail) => { const r = indexedDB.open(name); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
      for (const store of db.objectStoreNames) {
        const [keys, values] = await Promise.all(["getAllKeys", "getAll"].map((m) => new Promise((ok, fail) => {
          const r = db.transaction(store).objectStore(store)[m](); r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error);
        })));
        for (let i = 0; i < keys.length; i++) out.push({ db: name, store, key: String(keys[i]), value: await text(values[i]) });
      }
      db.close();
    }
    return out;
  });
  assert.ok(dump.length > 0, "IndexedDB holds the store");
  const all = dump.map((r) => `${r.db}/${r.store}/${r.key}: ${r.value}`).join("\n");
  assert.match(all, /mxseal2:/, "sealed values are there, bound to their keys");
  assert.doesNotMatch(all, /mxseal1:/, "no value sealed without its key is left");
  assert.match(all, /CryptoKey extractable=false/, "the sealing key is a non-extractable CryptoKey");
  for (const [kind, toks] of Object.entries(tokens)) {
    for (const tok of toks) {
      assert.ok(!all.includes(tok), `the ${kind} token is not stored in plain text`);
      assert.ok(!all.includes(Buffer.from(tok).toString("base64").slice(0, 16)), `the ${kind} token is not stored base64-encoded`);
    }
  }
});

test("the session survives a reload", async () => {
  await page.reload();
  await sessionShows(page, alice());
  const s = (await callMx(page, "session")).ok;
  assert.equal(s.userId, alice());
  const l = await inside(page, "#login");
  assert.equal(l.status, "You are signed in.");
  const tok = await callMx(page, "accessToken");
  assert.ok(tok.ok, `accessToken after reload: ${JSON.stringify(tok.err)}`);
  assert.deepEqual(page.errors, []);
});

test("two tabs refresh at the same moment: one refresh POST, the same rotated token", async () => {
  const other = await open();
  await sessionShows(other, alice());
  // Wait until the access token both tabs know has expired.
  const exp = (await callMx(page, "session")).ok.expiresAt;
  await page.waitForTimeout(Math.max(0, exp - Date.now()) + 300);
  const before = await issued();
  await control("log", "DELETE");
  // minValidityMs below the sandbox's 5 s lifetime: with the default 30 s
  // every fresh token would count as expiring, and each tab would refresh.
  const [a, b] = await Promise.all([callMx(page, "accessToken", { minValidityMs: 1000 }),
    callMx(other, "accessToken", { minValidityMs: 1000 })]);
  assert.ok(a.ok && b.ok, `both tabs got a token: ${JSON.stringify([a.err, b.err])}`);
  assert.equal(a.ok, b.ok, "both tabs hold the same rotated access token");
  const log = await control("log");
  const tokenPosts = log.filter((r) => r.Method === "POST" && /\/token$/.test(r.Path));
  assert.equal(tokenPosts.length, 1, `one refresh POST to the token endpoint, log: ${JSON.stringify(log.map((r) => `${r.Method} ${r.Path} ${r.Status}`))}`);
  assert.equal(tokenPosts[0].Status, 200);
  // The one refresh rotated the refresh token once and made the access
  // token both tabs hold.
  const after = await issued();
  const added = (kind) => after[kind].filter((t) => !before[kind].includes(t));
  assert.equal(added("refresh").length, 1, "the refresh token rotated once");
  assert.deepEqual(added("access"), [a.ok], "the new access token is the one both tabs hold");
  await sessionShows(page, alice());
  await sessionShows(other, alice());
  assert.deepEqual([...page.errors, ...other.errors], []);
  page.other = other;
});

for (const scheme of ["light", "dark"]) {
  test(`axe finds no violations in the login and session elements (${scheme}, signed in and out)`, async () => {
    const p = await open();
    await p.emulateMedia({ colorScheme: scheme });
    await sessionShows(p, alice());
    await p.evaluate(axeSource);
    const run = () => p.evaluate(() => globalThis.axe.run({ include: [["#login"], ["#session"]] }, { resultTypes: ["violations"] })
      .then((r) => r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)));
    assert.deepEqual(await run(), [], "signed in");
    await shot(p, `signed-in-${scheme}`);
    await p.close();

    // Signed out: a fresh context-less view with memory storage is not
    // needed; a second browser profile shows the signed-out card.
    const c = await browser();
    try {
      const q = await c.ctx.newPage();
      await q.emulateMedia({ colorScheme: scheme });
      await q.goto(`${web.url}/login.html`);
      await loginReady(q);
      await sessionShows(q, "Not signed in");
      await q.evaluate(axeSource);
      const v = await q.evaluate(() => globalThis.axe.run({ include: [["#login"], ["#session"]] }, { resultTypes: ["violations"] })
        .then((r) => r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)));
      assert.deepEqual(v, [], "signed out");
      await q.screenshot({ path: join(results, `login-ready-${scheme}.png`), fullPage: true });
    } finally { await c.close(); }
  });
}

test("logout in one tab signs out the other", async () => {
  const other = page.other;
  await page.locator("#session").locator('[part~="signout"]').click();
  await sessionShows(page, "Not signed in");
  await sessionShows(other, "Not signed in");
  assert.equal((await callMx(other, "session")).ok, null);
  await loginReady(other);
  const l = await inside(other, "#login");
  assert.equal(l.continue, `Continue with ${hs.serverName}`, "the other tab's login element offers sign-in again");
  await shot(other, "signed-out-other-tab");
  await other.close();
});

test("a replayed callback URL fails with no_pending_login", async () => {
  assert.ok(callbackURL);
  const p = await open("/blank.html");
  await p.goto(callbackURL);
  await until(p, () => globalThis.hostSeen?.errors.length > 0);
  const errs = await p.evaluate(() => globalThis.hostSeen.errors);
  assert.equal(errs[0].code, "no_pending_login");
  assert.equal(errs[0].name, "MxAuthError");
  const l = await inside(p, "#login");
  assert.match(l.error, /already finished|sign in again/i);
  assert.equal((await callMx(p, "session")).ok, null);
  assert.doesNotMatch(p.url(), /code=|state=/, "the spent answer left the address bar");
  await shot(p, "replay-error");
  await p.close();
});

test("errors a person can act on: no CORS on the well-known, a page address that cannot be registered", async () => {
  await control("off", "POST", { key: "cors-well-known", off: true });
  try {
    const p = await open("/blank.html");
    const r = await p.evaluate(async (server) => {
      const { load } = await import("/npm/index.js");
      await load({ storage: "memory" });
      const el = document.createElement("mxauth-login");
      el.setAttribute("server", server);
      const err = new Promise((ok) => el.addEventListener("mxauth-error", (e) => ok(e.detail)));
      document.body.append(el);
      const e = await err;
      await new Promise((r) => setTimeout(r, 50));
      return { code: e.code, message: e.message, url: e.details?.url, text: el.shadowRoot.querySelector('[role="alert"]').textContent };
      // The server name, not its URL: a typed URL that answers /versions
      // is the homeserver as typed, its well-known unread (issue 13).
    }, hs.serverName);
    assert.match(r.code, /network|discovery_failed/);
    // Words for people on the page; the diagnosis for the developer in the event.
    assert.equal(r.text, `Can't reach ${hs.serverName}. Check the address, or try again later.`);
    assert.match(r.message, /CORS/);
    assert.match(r.url || r.message, /\.well-known\/matrix\/client/);
    assert.ok(p.warnings.some((w) => /CORS/.test(w)), "the console has the diagnosis once");
    await shot(p, "error-cors");
    await p.close();
  } finally {
    await control("off", "POST", { key: "cors-well-known", off: false });
  }

  const p = await open("/blank.html");
  const r = await p.evaluate(async (server) => {
    const { load } = await import("/npm/index.js");
    await load({ storage: "memory" });
    const el = document.createElement("mxauth-login");
    el.setAttribute("server", server);
    el.setAttribute("server-locked", "");
    el.setAttribute("client-uri", "http://gardening.example.org");
    document.body.append(el);
    const btn = () => el.shadowRoot.querySelector('[part~="continue"]');
    while (!btn() || btn().disabled) await new Promise((r) => setTimeout(r, 50));
    const input = el.shadowRoot.querySelector("input");
    const err = new Promise((ok) => el.addEventListener("mxauth-error", (e) => ok(e.detail)));
    btn().click();
    const e = await err;
    return { code: e.code, details: e.details, text: el.shadowRoot.querySelector('[role="alert"]').textContent,
      inputShown: !input.closest("[hidden]"), url: location.pathname };
  }, `http://${hs.serverName}`);
  assert.equal(r.code, "registration_failed");
  assert.equal(r.details.field, "client_uri");
  assert.match(r.text, /client URI \(client-uri\) must be an https address/);
  assert.equal(r.inputShown, false, "server-locked hides the server field");
  assert.equal(r.url, "/blank.html", "no navigation");
  await shot(p, "error-registration");
  await p.close();
});

test("a page with only the elements' script tag: they start mxauth.wasm themselves", async () => {
  const p = await open("/blank.html");
  const r = await p.evaluate(async (server) => {
    await import("/npm/elements.js");
    const el = document.createElement("mxauth-login");
    el.setAttribute("server", server);
    document.body.append(el);
    const btn = () => el.shadowRoot.querySelector('[part~="continue"]');
    const t0 = Date.now();
    while ((!btn() || btn().disabled) && Date.now() - t0 < 20000) await new Promise((r) => setTimeout(r, 50));
    return btn().textContent;
  }, `http://${hs.serverName}`);
  assert.equal(r, `Continue with ${hs.serverName}`);
  assert.deepEqual(p.errors, []);
  await p.close();
});
