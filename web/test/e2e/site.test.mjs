// The static demo site (`make site` → dist/site) in Debian's Chromium: served
// by a plain static server under a sub-path with the CSP of CONTRACT.md §3,
// against two sandbox homeservers (one whose well-known has no CORS).
// Screenshots of every page, light and dark, go to test-results/site-*.png.
//
// Run by `make test-site`, which sets MXAUTH_SITE_DIR; without it (as in the
// e2e/*.test.mjs glob of test-browser) the suite skips.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { execFileSync } from "node:child_process";
import { readFileSync, existsSync, statSync, mkdirSync, rmSync } from "node:fs";
import { join, extname, resolve, normalize, sep } from "node:path";
import { createRequire } from "node:module";
import { browser, root, results, buildCLI, runSandbox } from "./harness.mjs";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const siteDir = process.env.MXAUTH_SITE_DIR;
const skip = !siteDir && "MXAUTH_SITE_DIR is not set (run make test-site)";
const SUB = "/mxauth-demo/";
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src *";
const SCHEMES = ["light", "dark"];

let bin, binDir, hs, hsNoCORS, hsPassword, web, chrome;

const startSandbox = (args) => runSandbox(bin, args);

const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".wasm": "application/wasm", ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png",
  ".webmanifest": "application/manifest+json" };

// serveSite is a plain static host: files of dir under SUB, nothing else,
// every answer with the CSP.
function serveSite(dir) {
  dir = resolve(dir);
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (!path.startsWith(SUB)) { res.writeHead(404).end("not found"); return; }
    let rel = path.slice(SUB.length);
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    const file = normalize(join(dir, rel));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "Content-Security-Policy": CSP }).end("not found"); return;
    }
    res.writeHead(200, { "Content-Type": types[extname(file)] || "application/octet-stream",
      "Cache-Control": "no-store", "Content-Security-Policy": CSP }).end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () =>
    ok({ url: `http://127.0.0.1:${server.address().port}${SUB}`, close: () => server.close() })));
}

before(async () => {
  if (skip) return;
  mkdirSync(results, { recursive: true });
  ({ bin, dir: binDir } = buildCLI());
  hs = await startSandbox(["--prompt-create"]);
  hsNoCORS = await startSandbox(["--off", "cors-well-known"]);
  // Dendrite's GET /login: m.login.password only, no auth metadata.
  hsPassword = await startSandbox(["--legacy-sso", "--password-login", "--off", "sso"]);
  web = await serveSite(siteDir);
  chrome = await browser({ viewport: { width: 1000, height: 800 } });
});
after(async () => {
  await chrome?.close(); web?.close(); hs?.stop(); hsNoCORS?.stop(); hsPassword?.stop();
  if (binDir) rmSync(binDir, { recursive: true, force: true });
});

// open makes a page that records CSP violations, page errors, dialogs and
// whether an injected script ran (window.__xss).
async function open(scheme) {
  const page = await chrome.ctx.newPage();
  const seen = { csp: [], errors: [], dialogs: 0 };
  page.on("dialog", (d) => { seen.dialogs++; d.dismiss(); });
  page.on("pageerror", (e) => seen.errors.push(e.message));
  page.on("console", (m) => {
    if (/Content.Security.Policy/i.test(m.text())) seen.csp.push(m.text());
    if (process.env.MXAUTH_DEBUG) console.log(`console ${m.type()}: ${m.text()}`);
  });
  await page.addInitScript(() => {
    window.alert = () => { window.__xss = true; };
    document.addEventListener("securitypolicyviolation", (e) => {
      (window.__csp ||= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.emulateMedia({ colorScheme: scheme });
  return { page, seen };
}

// ready waits until go-app has taken the page (its loader is gone).
const ready = (page) => page.waitForFunction(() => !document.getElementById("app-wasm-loader"), null, { timeout: 60000 });

async function axe(page) {
  // Evaluated through the devtools protocol: an inline <script> would be
  // refused by the CSP (and counted as a violation).
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(axeSource);
  const r = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

async function clean(page, seen, name) {
  const csp = await page.evaluate(() => window.__csp || []);
  assert.deepEqual(csp, [], `${name}: CSP violations`);
  assert.deepEqual(seen.errors, [], `${name}: page errors`);
  assert.deepEqual(await axe(page), [], `${name}: axe violations`);
}

test("index.html has no inline script and every asset is relative", { skip }, () => {
  for (const f of ["index.html", "callback.html", "room.html", "check.html"]) {
    const html = readFileSync(join(siteDir, f), "utf8");
    for (const tag of html.match(/<script\b[^>]*>/g) || []) assert.match(tag, / src="[^/"][^"]*"/, `${f}: ${tag}`);
    assert.doesNotMatch(html, /\s(src|href)="\/(?!\/)/, `${f}: no root-absolute URL`);
    assert.doesNotMatch(html, /\sstyle="|<style/, `${f}: no inline style`);
  }
  for (const f of ["web/app.wasm", "web/app.wasm.br", "web/app.wasm.gz", "wasm_exec.js", "app.js"]) {
    assert.ok(existsSync(join(siteDir, f)), f);
  }
});

// The demo draws the same sentence <mxauth-login> shows (nosignin.test.mjs):
// Go's hints.explanation, as native Go (the CLI) decides it.
test("a password-only server: the demo shows Go's sentence, no button, no password form", { skip }, async () => {
  const hints = JSON.parse(execFileSync(bin, ["discover", hsPassword.url]).toString()).hints;
  assert.equal(hints.unavailable, "password_only");
  const { page, seen } = await open("light");
  await page.goto(`${web.url}?server=${encodeURIComponent(hsPassword.url)}`);
  await ready(page);
  const why = page.locator(".explain p");
  await why.waitFor({ timeout: 30000 });
  assert.equal(await why.textContent(), hints.explanation);
  assert.equal(await page.locator("#continue").count(), 0, "no sign-in button");
  assert.equal(await page.locator("input[type=password]").count(), 0, "no password form");
  await page.screenshot({ path: join(results, "site-password-only.png"), fullPage: true });
  await clean(page, seen, "password-only");
  await page.close();
});

for (const scheme of SCHEMES) {
  test(`sign in and out through the sandbox's authorize page (${scheme})`, { skip }, async () => {
    const { page, seen } = await open(scheme);
    await page.goto(`${web.url}?server=${encodeURIComponent(hs.url)}`);
    await ready(page);
    const cont = page.locator("#continue");
    await cont.waitFor({ timeout: 30000 });
    assert.equal(await cont.textContent(), `Continue with ${hs.serverName}`);
    assert.equal(await page.locator("#create").textContent(), "Create account");
    assert.equal(await page.locator("input[type=password]").count(), 0, "no password form");
    const steps = await page.locator(".steps li").allTextContents();
    // A typed URL is the homeserver as typed (issue 13): /versions first,
    // then login and metadata; no client discovery step.
    assert.ok(steps.length >= 3, `steps: ${steps}`);
    assert.ok(steps.every((s) => /ok|not there/.test(s)), `steps: ${steps}`);
    assert.match(steps[0], /Spec versions.*ok\s*\d+ ms|Spec versions.*ok.*ms/);
    assert.ok(!steps.some((s) => /Client discovery/.test(s)), `steps: ${steps}`);
    await page.screenshot({ path: join(results, `site-signin-${scheme}.png`), fullPage: true });
    await clean(page, seen, "sign-in");

    await cont.click();
    await page.waitForURL((u) => u.origin === hs.url, { timeout: 30000 });
    await page.locator('button[name="user"][value="alice"]').click();
    const allow = page.locator('button[name="decision"][value="allow"]');
    if (await allow.count()) await allow.click();
    await page.waitForURL((u) => u.href.startsWith(web.url + "callback.html"), { timeout: 30000 });
    await ready(page);
    await page.locator("#user-id").waitFor({ timeout: 30000 }).catch(async (e) => {
      await page.screenshot({ path: join(results, `site-callback-failed-${scheme}.png`), fullPage: true });
      throw new Error(`${e.message}\n${page.url()}\n${await page.locator("main").innerText()}\n${seen.errors}`);
    });
    assert.equal(await page.locator("#user-id").textContent(), `@alice:${hs.serverName}`);
    assert.match(await page.locator("#device-id").textContent(), /^[A-Za-z0-9]{10,}$/);
    assert.doesNotMatch(page.url(), /code=|state=/, "the spent code is gone from the address bar");
    const t1 = await page.locator("#expiry").textContent();
    assert.match(t1, /^\d+:\d\d$/);
    // The countdown ticks each second; a loaded machine may paint late, so
    // wait for the change (up to 10 s) rather than for a fixed time.
    const ticked = await page.waitForFunction((t) => document.querySelector("#expiry")?.textContent !== t, t1, { timeout: 10000 })
      .then(() => true, () => false);
    assert.ok(ticked, `the expiry counts down (still ${t1} after 10 s)`);
    const account = await page.locator(".account a").allTextContents();
    assert.ok(account.includes("Manage account") && account.includes("Devices"), `account links: ${account}`);

    await page.locator("#refresh").click();
    await page.locator("#notice").waitFor();
    assert.match(await page.locator("#notice").textContent(), /Refreshed/);
    await page.screenshot({ path: join(results, `site-session-${scheme}.png`), fullPage: true });
    await clean(page, seen, "session");

    await page.locator("#sign-out").click();
    await page.waitForFunction(() => /Signed out/.test(document.querySelector("#notice")?.textContent || ""));
    assert.equal(await page.locator("#user-id").count(), 0);
    await page.reload();
    await ready(page);
    await page.getByText("Nobody is signed in.").waitFor({ timeout: 30000 });
    assert.equal(seen.dialogs, 0);
    await page.close();
  });

  test(`server check reports the CORS-less well-known (${scheme})`, { skip }, async () => {
    const { page, seen } = await open(scheme);
    // The server name: a typed URL answering /versions is not looked up (issue 13).
    await page.goto(`${web.url}check.html?server=${encodeURIComponent(hsNoCORS.serverName)}`);
    await ready(page);
    const row = page.locator("#probe tbody tr");
    await row.waitFor({ timeout: 30000 });
    assert.equal(await row.getAttribute("data-cors"), "no");
    const text = await row.textContent();
    assert.match(text, /\.well-known\/matrix\/client/);
    assert.match(text, /without CORS headers/);
    assert.match(await page.locator(".error").textContent(), /CORS/);
    await page.screenshot({ path: join(results, `site-check-nocors-${scheme}.png`), fullPage: true });
    await clean(page, seen, "check (no CORS)");

    // The same page on the healthy sandbox: every step read, CORS yes.
    await page.locator("#check-server").fill(hs.url);
    await page.locator("#check-server").press("Enter");
    await page.locator("#steps tbody tr").first().waitFor({ timeout: 30000 });
    const cors = await page.locator("#steps tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.cors));
    // versions, login, auth metadata: the typed URL is not looked up.
    assert.ok(cors.length >= 3 && cors.every((c) => c === "yes"), `cors: ${cors}`);
    assert.match(await page.locator("#facts").textContent(), /stable endpoint/);
    assert.match(await page.locator("#registration").textContent(), /Accepted as a native client/);
    await page.locator("#client-uri").fill("http://mxauth.example/");
    await page.waitForFunction(() => /Refused/.test(document.querySelector("#registration")?.textContent));
    assert.match(await page.locator("#registration").textContent(), /Refused.*rule https, field client_uri/s);
    await page.screenshot({ path: join(results, `site-check-${scheme}.png`), fullPage: true });
    await page.close();
  });

  test(`room page renders the hostile room as text (${scheme})`, { skip }, async () => {
    const { page, seen } = await open(scheme);
    const alias = `#hostile:${hs.serverName}`;
    await page.goto(`${web.url}room.html?room=${encodeURIComponent(alias)}`);
    await ready(page);
    await page.locator("#room-card").waitFor({ timeout: 30000 });
    const name = await page.locator(".room-name").textContent();
    assert.match(name, /<img src=x onerror=alert\(1\)><script>alert\(1\)<\/script>/);
    assert.equal(await page.locator("#room-card img, #room-card script, main script").count(), 0);
    assert.match(await page.locator("#source").textContent(), /room summary/);
    assert.equal(await page.locator(".badge svg").count(), 1);
    assert.equal(await page.locator("#snippet").textContent(),
      `<mxauth-room-card room="#hostile:${hs.serverName}"></mxauth-room-card>`);
    assert.match(await page.locator("#badge-command").textContent(), /^mxauth badge '#hostile:.*' > badge\.svg$/);
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__xss === true), false, "no injected script ran");
    assert.equal(seen.dialogs, 0);
    await page.screenshot({ path: join(results, `site-room-hostile-${scheme}.png`), fullPage: true });
    await clean(page, seen, "room (hostile)");

    await page.locator("#room").fill(`#public:${hs.serverName}`);
    await page.locator("#room").press("Enter");
    await page.waitForFunction(() => document.querySelector(".room-name")?.textContent === "Sandbox Lobby");
    assert.equal(await page.locator(".room-members").textContent(), "1.2k members");
    await page.screenshot({ path: join(results, `site-room-${scheme}.png`), fullPage: true });
    await clean(page, seen, "room");
    await page.close();
  });
}
