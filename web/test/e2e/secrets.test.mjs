// Issue 12 in Debian's Chromium: where a page's secrets may go. Every
// script on a page can read the elements' bubbling, composed
// mxauth-session event, the API's "session" events and session(): none of
// them may carry a token. And a request that carries a secret (refresh,
// revocation) follows no redirect: a token or revocation endpoint that
// answers 307 to a third origin sends it nothing, and logout says the
// revocation failed. SECURITY.md cites these tests.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { sandbox, serve, browser, here, npmDir } from "./harness.mjs";

const TTL = 3000; // the sandbox's access token lifetime (ms)
let hs, web, third, chrome, page, meta;

// thirdOrigin is a server on another origin that records every request it
// gets (preflights too) and answers as a permissive token endpoint would,
// so a browser that followed a redirect there would have sent it all.
function thirdOrigin() {
  const got = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (b) => { body += b; });
    req.on("end", () => {
      got.push({ method: req.method, url: req.url, authorization: req.headers.authorization || "", body });
      res.writeHead(req.method === "OPTIONS" ? 204 : 200, { "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": "Content-Type, Authorization", "Content-Type": "application/json" });
      res.end(req.method === "OPTIONS" ? "" : '{"access_token":"stolen","token_type":"Bearer","expires_in":60}');
    });
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () =>
    ok({ url: `http://127.0.0.1:${server.address().port}`, got, close: () => server.close() })));
}

before(async () => {
  hs = await sandbox(["--control", "--token-ttl", `${TTL / 1000}s`]);
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: hs.serverName });
  third = await thirdOrigin();
  chrome = await browser();
  meta = await fetch(`${hs.url}/_matrix/client/v1/auth_metadata`).then((r) => r.json());
});
after(async () => { await chrome?.close(); web?.close(); third?.close(); hs?.stop(); });

const control = (path, method = "GET", body) => fetch(`${hs.url}/_sandbox/${path}`,
  { method, body: body && JSON.stringify(body), headers: body ? { "Content-Type": "application/json" } : {} })
  .then((r) => r.json());
const until = (p, fn, arg, timeout = 30000) => p.waitForFunction(fn, arg, { timeout, polling: 50 });
const callMx = (p, method, ...args) => p.evaluate(async ([m, a]) => {
  const mx = await globalThis.hostMx;
  try { return { ok: await mx[m](...a) }; } catch (e) {
    return { err: { name: e.name, code: e.code, message: e.message, details: e.details } };
  }
}, [method, args]);
const sessionShows = (p, text) => until(p, (t) => {
  const r = document.querySelector("#session")?.shadowRoot;
  return r?.querySelector('[aria-busy="false"]') && r.querySelector(".name")?.textContent === t;
}, text);
// untilExpired waits until the page's access token has expired, so the
// next accessToken() refreshes.
async function untilExpired(p) {
  const { expiresAt } = (await callMx(p, "session")).ok;
  await p.waitForTimeout(Math.max(0, expiresAt - Date.now()) + 300);
}
const alice = () => `@alice:${hs.serverName}`;

// signIn presses the login element's button and clicks through the
// sandbox's authorize page as alice.
async function signIn(p) {
  await until(p, () => {
    const b = document.querySelector("#login")?.shadowRoot?.querySelector('[part~="continue"]');
    return b && !b.disabled && b.textContent.startsWith("Continue with");
  });
  await p.locator("#login").locator('[part~="continue"]').click();
  await p.waitForURL((u) => u.href.startsWith(hs.url), { timeout: 30000 });
  await p.getByRole("button", { name: /Continue as @alice/ }).click();
  await p.getByRole("button", { name: "Allow" }).click();
  await p.waitForURL((u) => u.href.startsWith(web.url), { timeout: 30000 });
  await sessionShows(p, alice());
}

test("sign in, refresh: no token in mxauth-session on document, in any session event or in session()", async () => {
  page = await chrome.ctx.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.goto(web.url + "/login.html");
  await signIn(page);
  await until(page, () => globalThis.hostSeen?.sessions.length === 1);

  // A refresh after expiry: a second "session" event, with the new expiry.
  await untilExpired(page);
  const access = await callMx(page, "accessToken");
  assert.ok(access.ok, `accessToken: ${JSON.stringify(access.err)}`);
  await until(page, () => globalThis.hostSeen.mxSessions.length >= 2);

  const issued = await control("tokens");
  assert.ok(issued.access.includes(access.ok), "accessToken() hands out the real access token");
  assert.ok(issued.access.length >= 2 && issued.refresh.length >= 2, "a login and a refresh were issued");
  const seen = await page.evaluate(async () => ({ ...globalThis.hostSeen, session: await (await globalThis.hostMx).session() }));
  assert.equal(seen.sessions[0].userId, alice());
  assert.equal(seen.session.userId, alice());
  assert.match(seen.session.accountUrl || "", /^http:\/\/127\.0\.0\.1:\d+\//, "the session names the account page");
  const text = JSON.stringify(seen);
  for (const tok of [...issued.access, ...issued.refresh]) {
    assert.ok(!text.includes(tok), `a token (${tok.slice(0, 4)}…) reached a page script: ${text}`);
  }
  for (const field of ["accessToken", "refreshToken", "tokenEndpoint", "revocationEndpoint"]) {
    assert.ok(!text.includes(`"${field}"`), `the field ${field} reached a page script`);
  }
  assert.deepEqual(page.errors, []);
});

test("a token endpoint that answers a refresh with 307 to a third origin sends it nothing", async () => {
  await untilExpired(page);
  const tokenPath = new URL(meta.token_endpoint).pathname;
  await control("log", "DELETE");
  await control("faults", "POST", { path: tokenPath, method: "POST", redirect: `${third.url}/steal/token` });
  try {
    const r = await callMx(page, "accessToken");
    assert.equal(r.err?.code, "network", `accessToken: ${JSON.stringify(r)}`);
    assert.equal(r.err.details?.reason, "redirect_refused");
    const posts = (await control("log")).filter((e) => e.Method === "POST" && e.Path === tokenPath);
    assert.equal(posts.length, 1, "one refresh POST, answered by the redirect, never retried");
    assert.equal(posts[0].Status, 307);
  } finally {
    await control("faults", "DELETE");
  }
  assert.deepEqual(third.got, [], "the third origin received nothing");
  // The session stays: a redirect is no answer from the server.
  assert.equal((await callMx(page, "session")).ok?.userId, alice());
  await sessionShows(page, alice());
  const again = await callMx(page, "accessToken");
  assert.ok(again.ok, `accessToken once the server behaves: ${JSON.stringify(again.err)}`);
});

test("a revocation endpoint that answers logout with 307 to a third origin sends it nothing; logout says so", async () => {
  const revokePath = new URL(meta.revocation_endpoint).pathname;
  await control("faults", "POST", { path: revokePath, method: "POST", redirect: `${third.url}/steal/revoke` });
  let r;
  try {
    r = await callMx(page, "logout");
  } finally {
    await control("faults", "DELETE");
  }
  assert.equal(r.err?.code, "network", `logout must not report success: ${JSON.stringify(r)}`);
  assert.equal(r.err.details?.reason, "redirect_refused");
  assert.equal(r.err.details?.refreshToken, "failed");
  assert.equal(r.err.details?.sessionForgotten, "true");
  assert.deepEqual(third.got, [], "the third origin received nothing");
  // Forgotten here all the same (CONTRACT.md logout).
  assert.equal((await callMx(page, "session")).ok, null);
  await sessionShows(page, "Not signed in");
  // The server never saw a revocation: the session is alive there.
  const live = (await control("log")).filter((e) => e.Path === revokePath && e.Method === "POST");
  assert.ok(live.length >= 1 && live.every((e) => e.Status === 307), "every revocation POST got the redirect");
  assert.deepEqual(page.errors, []);
});

// copyRecord copies the file whose name holds from (its contents and its
// size) over the one whose name holds to, in the IndexedDB file system
// mxauth's store lives in (names are escaped store keys), as a script of
// the origin or a tool with the profile could.
const copyRecord = (p, from, to) => p.evaluate(async ([from, to]) => {
  const req = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
  const names = (await indexedDB.databases()).map((d) => d.name);
  for (const name of names) {
    const db = await req(indexedDB.open(name));
    if (![...db.objectStoreNames].includes("contents")) { db.close(); continue; }
    const keys = (await req(db.transaction("contents").objectStore("contents").getAllKeys())).map(String);
    const src = keys.find((k) => k.includes(from)), dst = keys.find((k) => k.includes(to));
    if (!src || !dst) { db.close(); return { keys }; }
    const t = db.transaction(["contents", "info"], "readwrite");
    const contents = t.objectStore("contents"), info = t.objectStore("info");
    const [data, srcInfo, dstInfo] = await Promise.all([req(contents.get(src)), req(info.get(src)), req(info.get(dst))]);
    contents.put(data, dst);
    info.put({ ...dstInfo, Size: srcInfo.Size }, dst);
    await new Promise((ok, fail) => { t.oncomplete = ok; t.onerror = () => fail(t.error); });
    db.close();
    return { src, dst };
  }
  return { names };
}, [from, to]);

test("a sealed record copied to another store key does not open there (AES-GCM bound to its key)", async () => {
  await signIn(page);
  // A second, pending login: a sealed pending/<state> record beside the
  // sealed session.
  const started = await callMx(page, "startLogin", { server: `http://${hs.serverName}`,
    redirectUri: web.url + "/login.html", client: { name: "Gardening Club", uri: "https://gardening.example.org" } });
  assert.ok(started.ok, `startLogin: ${JSON.stringify(started.err)}`);
  const copied = await copyRecord(page, "pending%2F", "sessions%2F");
  assert.ok(copied.src && copied.dst, `records to copy: ${JSON.stringify(copied)}`);
  await page.reload();
  // The copy fails to open at the session's key: it reads as no session
  // (and is removed), rather than as a session made of a pending login.
  assert.equal((await callMx(page, "session")).ok, null);
  await sessionShows(page, "Not signed in");
  const again = await copyRecord(page, "pending%2F", "sessions%2F");
  assert.ok(!again.dst, "the record that did not open was removed");
  assert.deepEqual(page.errors, []);
});
