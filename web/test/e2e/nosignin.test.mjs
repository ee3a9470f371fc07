// A homeserver <mxauth-login> cannot sign in to, in Debian's Chromium
// against the sandbox imitating one (legacy mode, SSO off): the reason and
// the sentence are decided in Go (ServerInfo.hints, the same decision the
// demo draws), not in the element. The element shows Go's sentence, no
// button and no password field, and raises mxauth-error with code
// oauth_unsupported and details.reason as before.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { buildCLI, runSandbox, serve, browser, here, npmDir } from "./harness.mjs";

let cli, password, none, web, chrome;
before(async () => {
  cli = buildCLI();
  // Dendrite's GET /login: m.login.password only, no auth metadata.
  password = await runSandbox(cli.bin, ["--legacy-sso", "--password-login", "--off", "sso"]);
  // No flow a person could sign in with.
  none = await runSandbox(cli.bin, ["--legacy-sso", "--off", "sso"]);
  web = await serve({ "/npm/": npmDir, "/": here }, { HS: password.serverName });
  chrome = await browser();
});
after(async () => {
  await chrome?.close(); web?.close(); password?.stop(); none?.stop();
  if (cli) rmSync(cli.dir, { recursive: true, force: true });
});

// goHints is what native Go (the CLI, package auth) decides for a server.
const goHints = (hs) => JSON.parse(execFileSync(cli.bin, ["discover", hs.url]).toString()).hints;

// element puts an <mxauth-login> for server on a blank page and returns
// its mxauth-error event and what it shows once the error is drawn.
async function element(server) {
  const page = await chrome.ctx.newPage();
  await page.goto(`${web.url}/blank.html`);
  const got = await page.evaluate(async (server) => {
    const { load, MxAuthError } = await import("/npm/index.js");
    await load({ storage: "memory" });
    const el = document.createElement("mxauth-login");
    el.setAttribute("server", server);
    const ev = new Promise((ok) => el.addEventListener("mxauth-error", (e) => ok(e.detail)));
    document.body.append(el);
    const e = await ev;
    await new Promise((r) => setTimeout(r, 50));
    const r = el.shadowRoot;
    return {
      isMxAuthError: e instanceof MxAuthError, code: e.code, message: e.message, details: e.details,
      text: r.querySelector('[role="alert"]').textContent,
      buttons: [...r.querySelectorAll("button")].filter((b) => b.checkVisibility() && !b.disabled).map((b) => b.textContent),
      passwordFields: r.querySelectorAll('input[type="password"]').length,
      busy: r.querySelector("[aria-busy]").getAttribute("aria-busy"),
    };
  }, server);
  await page.close();
  return got;
}

test("a password-only server: Go's reason and words, no button, mxauth-error password_only", async () => {
  const hints = goHints(password);
  assert.equal(hints.continueWith, "");
  assert.equal(hints.unavailable, "password_only");
  assert.match(hints.explanation, new RegExp(`^${password.serverName.replace(/\./g, "\\.")} signs in with a password only`));

  const got = await element(password.url);
  assert.equal(got.isMxAuthError, true);
  assert.equal(got.code, "oauth_unsupported");
  assert.equal(got.details.reason, "password_only");
  assert.equal(got.details.flows, "m.login.password");
  assert.equal(got.details.explanation, hints.explanation);
  assert.equal(got.text, hints.explanation, "the element shows the sentence Go decided");
  assert.doesNotMatch(got.message, /no oauth/i, "the message says what happened in words");
  assert.deepEqual(got.buttons, [], "no sign-in button");
  assert.equal(got.passwordFields, 0, "never a password field");
  assert.equal(got.busy, "false");
});

test("a server with no flow at all: no_flow and Go's words", async () => {
  const hints = goHints(none);
  assert.equal(hints.unavailable, "no_flow");
  const got = await element(none.url);
  assert.equal(got.code, "oauth_unsupported");
  assert.equal(got.details.reason, "no_flow");
  assert.equal(got.details.flows, "");
  assert.equal(got.text, hints.explanation);
  assert.notEqual(got.text, "");
  assert.deepEqual(got.buttons, []);
});
