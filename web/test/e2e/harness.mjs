// Shared setup of the browser suite: the sandbox homeserver, a static
// server for the host pages and dist/npm, and Debian's Chromium through
// playwright-core (never a downloaded browser).
import { spawn, execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, mkdirSync, readFileSync, existsSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, extname, resolve, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const here = fileURLToPath(new URL(".", import.meta.url));
export const root = resolve(here, "../../..");
// MXAUTH_NPM_DIR and MXAUTH_TGZ test a package built elsewhere (a patched loader).
export const npmDir = process.env.MXAUTH_NPM_DIR || join(root, "dist/npm");
export const results = join(root, "test-results");

// sandbox builds cmd/mxauth once and starts `mxauth sandbox` on a free
// loopback port with the extra flags args (for example ["--control",
// "--token-ttl", "5s"]); resolves to {url, serverName, stop}.
export async function sandbox(args = []) {
  const { bin, dir } = buildCLI();
  const hs = await runSandbox(bin, args);
  return { ...hs, stop: () => { hs.stop(); rmSync(dir, { recursive: true, force: true }); } };
}

// buildCLI builds the mxauth CLI into a fresh temporary folder.
export function buildCLI() {
  const dir = mkdtempSync(join(tmpdir(), "mxauth-cli-"));
  const bin = join(dir, "mxauth");
  execFileSync("go", ["build", "-o", bin, "./cmd/mxauth"], { cwd: root, stdio: "inherit" });
  return { bin, dir };
}

// runSandbox starts `bin sandbox` on a free loopback port with args and
// resolves once it prints its URL.
export async function runSandbox(bin, args = [], timeoutMs = 30000) {
  const proc = spawn(bin, ["sandbox", "--addr", "127.0.0.1:0", ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((ok, fail) => {
    let out = "";
    const t = setTimeout(() => fail(new Error("sandbox did not start: " + out)), timeoutMs);
    proc.stdout.on("data", (b) => {
      out += b;
      const m = /homeserver\s+(http:\/\/\S+)/.exec(out);
      if (m) { clearTimeout(t); ok(m[1]); }
    });
    proc.on("exit", (code) => fail(new Error(`sandbox exited ${code}: ${out}`)));
  });
  proc.stdout.resume();
  return { url, serverName: new URL(url).host, proc, stop: () => proc.kill() };
}

const types = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript",
  ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".svg": "image/svg+xml" };

// img-src blob: lets a signed-in room card draw its avatar from the Blob
// session.wasm fetched with the token (README: Room card).
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; " +
  "img-src 'self' data: blob:; connect-src 'self' http://127.0.0.1:*";

// serve maps URL prefixes to folders; *.html gets {{HS}} (the sandbox
// server name) filled in and the strict CSP of CONTRACT.md §3.
export function serve(mounts, vars) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let [prefix, dir] = Object.entries(mounts).find(([p]) => path.startsWith(p)) || [];
    if (dir) dir = resolve(dir);
    if (!dir) { res.writeHead(404).end(); return; }
    const file = normalize(join(dir, path.slice(prefix.length) || "index.html"));
    if (!file.startsWith(dir + sep) && file !== dir || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end("not found"); return;
    }
    let body = readFileSync(file);
    const ext = extname(file);
    const headers = { "Content-Type": types[ext] || "application/octet-stream", "Cache-Control": "no-store" };
    if (ext === ".html") {
      body = body.toString().replaceAll("{{HS}}", vars.HS);
      headers["Content-Security-Policy"] = CSP;
    }
    res.writeHead(200, headers).end(body);
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () =>
    ok({ url: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}

export const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

// browser starts Chromium with a fresh profile (a mkdtemp user-data-dir).
export async function browser(opts = {}) {
  const profile = mkdtempSync(join(tmpdir(), "mxauth-chromium-"));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: "/usr/bin/chromium", headless: true, args: FLAGS, viewport: { width: 900, height: 700 }, ...opts,
  });
  return { ctx, close: async () => { await ctx.close(); rmSync(profile, { recursive: true, force: true }); } };
}

// shadow reads text and facts from an element's shadow root.
export const shadowInfo = (page, selector) => page.$eval(selector, (el) => {
  const r = el.shadowRoot;
  const q = (s) => r.querySelector(s);
  return {
    busy: q("[aria-busy]")?.getAttribute("aria-busy"),
    name: q(".name")?.textContent, topic: q(".topic")?.textContent,
    members: q('[part="members"]')?.textContent, status: q(".st")?.textContent,
    link: q("a")?.getAttribute("href"),
    imgs: r.querySelectorAll("img").length, scripts: r.querySelectorAll("script").length,
    html: r.innerHTML,
  };
});

// until waits for fn(arg) in the page to be truthy.
export const until = (p, fn, arg, timeout = 30000) => p.waitForFunction(fn, arg, { timeout, polling: 50 });
// loginReady waits for #login to offer "Continue with …".
export const loginReady = (p) => until(p, () => {
  const b = document.querySelector("#login")?.shadowRoot?.querySelector('[part~="continue"]');
  return b && !b.disabled && b.textContent.startsWith("Continue with");
});
// sessionShows waits for #session to show text ("Not signed in" or a user id).
export const sessionShows = (p, text) => until(p, (t) => {
  const r = document.querySelector("#session")?.shadowRoot;
  return r?.querySelector('[aria-busy="false"]') && r.querySelector(".name")?.textContent === t;
}, text);

// tarball is the packed package of `make npm` (dist/mxauth-<version>.tgz).
export function tarball() {
  if (process.env.MXAUTH_TGZ) return process.env.MXAUTH_TGZ;
  const { version } = JSON.parse(readFileSync(join(npmDir, "package.json"), "utf8"));
  return join(root, "dist", `mxauth-${version}.tgz`);
}

// unpack installs the packed package as a user's node_modules/mxauth under
// dir (made when missing), as `npm install dist/mxauth-….tgz` would lay it out.
export function unpack(dir) {
  const nm = join(dir, "node_modules");
  mkdirSync(nm, { recursive: true });
  rmSync(join(nm, "mxauth"), { recursive: true, force: true });
  mkdirSync(join(nm, "mxauth"));
  execFileSync("tar", ["xzf", tarball(), "-C", join(nm, "mxauth"), "--strip-components=1"]);
  return join(nm, "mxauth");
}

// codeBlocks returns the fenced code blocks of a markdown text whose
// language is one of langs, each with the line its code starts at.
export function codeBlocks(markdown, langs) {
  const out = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\w+)\s*$/.exec(lines[i]);
    if (!m) continue;
    const start = i + 1;
    while (++i < lines.length && !/^```\s*$/.test(lines[i]));
    if (langs.includes(m[1])) out.push({ lang: m[1], line: start + 1, code: lines.slice(start, i).join("\n") });
  }
  return out;
}
