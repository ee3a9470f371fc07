// The consumer matrix: the packed tarball (dist/mxauth-<version>.tgz, as
// `npm install` lays it out) used as developers use it, in the toolchains
// people use today. Each app is built (or served by its dev server) and run
// in Debian's Chromium against the loopback sandbox: it calls load() and
// shows "Continue with <server>"; the Vite build and the React app sign in.
// Plus an SSR build and render in Node, publint and attw on the tarball.
//
// The toolchains are this folder's devDependencies (package-lock.json,
// installed by `make test-consumers`); the apps are built in a .work-*
// folder inside it, so that they resolve them as an app resolves its own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, copyFileSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sandbox, serve, browser, results, root, tarball, unpack, codeBlocks } from "../e2e/harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const bin = (name) => join(here, "node_modules/.bin", name);
const tsc = join(here, "../node_modules/.bin/tsc");

let work, hs, chrome;
before(async () => {
  work = mkdtempSync(join(here, ".work-"));
  unpack(work);
  writeFileSync(join(work, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  hs = await sandbox();
  chrome = await browser();
  mkdirSync(results, { recursive: true });
});
after(async () => {
  await chrome?.close();
  hs?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// app copies an app's sources into work/<as> with {{HS}} filled in:
// "vanilla" is e2e/consumer's login page (imports "mxauth" and
// "mxauth/elements"), the others are apps/<name>.
function app(name, as = name) {
  const dir = join(work, as);
  mkdirSync(dir);
  const files = name === "vanilla"
    ? { "index.html": join(here, "../e2e/consumer/login.html"), "login.js": join(here, "../e2e/consumer/login.js") }
    : Object.fromEntries(readdirSync(join(here, "apps", name)).map((f) => [f, join(here, "apps", name, f)]));
  for (const [to, from] of Object.entries(files)) {
    writeFileSync(join(dir, to), readFileSync(from, "utf8").replaceAll("{{HS}}", hs.serverName));
  }
  return dir;
}

// use opens url in Chromium as a person would: the page shows "Continue
// with <server>" (from its own load() and discover()) and so does the
// <mxauth-login> button; with signIn, it clicks through the sandbox's
// sign-in and waits for the page and <mxauth-session> to show @alice.
async function use(name, url, { signIn = false, out = true } = {}) {
  const page = await chrome.ctx.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(url);
    const label = `Continue with ${hs.serverName}`;
    if (out) {
      await page.waitForFunction(() => document.getElementById("out")?.textContent.replace("waiting", ""), null, { timeout: 30000 });
      assert.equal(await page.textContent("#out"), label, `${name}: the page's own load() and discover()`);
    }
    const button = page.locator("mxauth-login").locator('[part~="continue"]');
    await page.waitForFunction((l) => {
      const b = document.querySelector("mxauth-login")?.shadowRoot?.querySelector('[part~="continue"]');
      return b && !b.disabled && b.textContent === l;
    }, label, { timeout: 30000 });
    if (signIn) {
      await button.click();
      await page.getByRole("button", { name: /Continue as @alice/ }).click();
      await page.getByRole("button", { name: "Allow" }).click();
      await page.waitForFunction(() => /signed in as/.test(document.getElementById("out")?.textContent), null, { timeout: 30000 });
      assert.equal(await page.textContent("#out"), `signed in as @alice:${hs.serverName}`);
      await page.waitForFunction(() => document.querySelector("mxauth-session")?.shadowRoot?.querySelector(".name")
        ?.textContent.startsWith("@alice"), null, { timeout: 30000 });
    }
    assert.deepEqual(errors, [], `${name}: page errors`);
    await page.screenshot({ path: join(results, `consumer-${name}.png`) });
  } finally {
    await page.close();
  }
}

// run runs a tool and returns what it printed; when it fails, the test
// fails with that report (tsc, publint and attw print theirs on stdout).
function run(file, args, cwd = work) {
  try {
    return execFileSync(file, args, { cwd, encoding: "utf8", stdio: "pipe" });
  } catch (e) {
    return assert.fail(`${file} ${args.join(" ")}:\n${e.stdout || ""}${e.stderr || ""}`);
  }
}
const typecheck = (dir) => run(tsc, ["-p", dir], dir);

// served serves a built folder (harness: strict CSP on HTML) while fn runs.
async function served(dir, fn) {
  const web = await serve({ "/": dir }, { HS: hs.serverName });
  try { await fn(web.url); } finally { web.close(); }
}

// viteBuild builds dir with the Vite of pkg ("vite" 8, "vite7") into dir/dist.
async function viteBuild(pkg, dir) {
  const { build } = await import(pkg);
  await build({ root: dir, configFile: false, logLevel: "warn", build: { outDir: join(dir, "dist"), emptyOutDir: true } });
  return join(dir, "dist");
}

// viteDev serves dir with the dev server of pkg while fn runs.
async function viteDev(pkg, dir, config, fn) {
  const { createServer } = await import(pkg);
  const server = await createServer({ root: dir, configFile: false, logLevel: "warn",
    server: { host: "127.0.0.1", port: 0 }, ...config });
  await server.listen();
  try { await fn(server.resolvedUrls.local[0]); } finally { await server.close(); }
}

test("Vite 8 build: signs in", async () => {
  const out = await viteBuild("vite", app("vanilla"));
  assert.ok(readdirSync(join(out, "assets")).some((f) => /^session-.*\.wasm$/.test(f)), "Vite emits session.wasm");
  await served(out, (url) => use("vite8-build", `${url}/`, { signIn: true }));
});

test("Vite 8 build of a page with room cards alone: mxauth/preview, one wasm in dist", async () => {
  const out = await viteBuild("vite", app("cards"));
  const wasm = readdirSync(join(out, "assets")).filter((f) => f.endsWith(".wasm"));
  assert.equal(wasm.length, 1, `wasm in dist: ${wasm}`);
  assert.match(wasm[0], /^mxauth-.*\.wasm$/);
  await served(out, async (url) => {
    const page = await chrome.ctx.newPage();
    try {
      await page.goto(`${url}/`);
      await page.waitForFunction(() => document.querySelector("#public")?.shadowRoot?.querySelector('[aria-busy="false"]'),
        null, { timeout: 30000 });
      assert.equal(await page.$eval("#public", (el) => el.shadowRoot.querySelector(".name").textContent), "Sandbox Lobby");
    } finally {
      await page.close();
    }
  });
});

test("Vite 8 dev server, no configuration", async () => {
  await viteDev("vite", app("vanilla", "vite8-dev"), {}, (url) => use("vite8-dev", url));
});

test("Vite 7 build", async () => {
  const out = await viteBuild("vite7", app("vanilla", "vite7-build"));
  await served(out, (url) => use("vite7-build", `${url}/`));
});

test("Vite 7 dev server with optimizeDeps.exclude (README: Bundlers)", async () => {
  await viteDev("vite7", app("vanilla", "vite7-dev"), { optimizeDeps: { exclude: ["mxauth"] } }, (url) => use("vite7-dev", url));
});

test("Vite 7 dev server, no configuration", async () => {
  await viteDev("vite7", app("vanilla", "vite7-dev-zero"), {}, (url) => use("vite7-dev-zero", url));
});

test("webpack 5 build, no configuration beyond entry and output", async () => {
  const dir = app("vanilla", "webpack"), out = join(dir, "dist");
  const { default: webpack } = await import("webpack");
  const stats = await new Promise((ok, fail) => webpack({ mode: "production", context: dir, entry: "./login.js",
    output: { path: out, filename: "main.js" }, performance: { hints: false }, devtool: false },
  (err, s) => err ? fail(err) : ok(s)));
  assert.ok(!stats.hasErrors(), stats.toString("errors-only"));
  // webpack writes classic scripts: the page loads main.js without type="module".
  writeFileSync(join(out, "index.html"), readFileSync(join(dir, "index.html"), "utf8")
    .replace('<script type="module" src="login.js"></script>', '<script defer src="main.js"></script>'));
  assert.equal(readdirSync(out).filter((f) => f.endsWith(".wasm")).length, 2, "webpack emits both builds");
  await served(out, (url) => use("webpack5", `${url}/index.html`));
});

test("esbuild: the bundle, with both builds copied next to it (README: Bundlers)", async () => {
  const dir = app("vanilla", "esbuild"), out = join(dir, "dist");
  const { build } = await import(join(here, "../node_modules/esbuild/lib/main.js"));
  await build({ entryPoints: [join(dir, "login.js")], bundle: true, format: "esm", outdir: out, absWorkingDir: dir,
    logLevel: "warning", minify: true });
  copyFileSync(join(dir, "index.html"), join(out, "index.html"));
  for (const w of ["mxauth.wasm", "session.wasm"]) copyFileSync(join(work, "node_modules/mxauth", w), join(out, w));
  await served(out, (url) => use("esbuild", `${url}/index.html`));
});

test("React 19 + TypeScript: tsc --strict on the elements in JSX, Vite build, signs in", async () => {
  const dir = app("react");
  typecheck(dir);
  const out = await viteBuild("vite", dir);
  await served(out, (url) => use("react", `${url}/`, { signIn: true }));
});

test("the READMEs' tsx blocks compile under tsc --strict with React 19's types", () => {
  const dir = join(work, "readme-tsx");
  mkdirSync(dir);
  const files = [];
  for (const readme of ["README.md", "web/npm/README.md"]) {
    for (const b of codeBlocks(readFileSync(join(root, readme), "utf8"), ["tsx"])) {
      const name = `${readme.replace(/\W+/g, "_")}_line${b.line}.tsx`;
      writeFileSync(join(dir, name), b.code + "\nexport {};\n");
      files.push(name);
    }
  }
  assert.ok(files.length > 0, "the package README shows the elements in JSX");
  const config = JSON.parse(readFileSync(join(here, "apps/react/tsconfig.json"), "utf8"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ ...config, files }));
  typecheck(dir);
});

test("a plain HTML page, no bundler: the package's files served as they are", async () => {
  const dir = app("plain");
  cpSync(join(work, "node_modules/mxauth"), join(dir, "node_modules/mxauth"), { recursive: true });
  // The page only imports mxauth/elements: the element starts the WASM itself.
  await served(dir, (url) => use("plain", `${url}/index.html`, { out: false }));
});

test("SSR: a Vite 8 server build imports every entry and React renders the element in Node", async () => {
  const dir = app("ssr"), out = join(dir, "dist");
  const { build } = await import("vite");
  await build({ root: dir, configFile: false, logLevel: "warn", ssr: { noExternal: ["mxauth"] },
    build: { ssr: "entry-server.jsx", outDir: out, emptyOutDir: true } });
  const script = `const m = await import(${JSON.stringify(pathToFileURL(join(out, "entry-server.js")).href)});
    console.log(JSON.stringify({ html: m.render(), explain: m.explain({ code: "session_expired" }),
      ce: typeof globalThis.customElements }));`;
  const got = JSON.parse(execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: dir, encoding: "utf8" }));
  assert.match(got.html, /^<mxauth-login server="matrix.org" client-name="SSR" server-locked=""><\/mxauth-login>$/);
  assert.equal(got.explain, "Your session has ended. Please sign in again.");
  assert.equal(got.ce, "undefined");
});

test("publint --strict on the packed package", () => {
  const out = run(bin("publint"), [join(work, "node_modules/mxauth"), "--strict"]);
  assert.match(out, /All good/);
});

// The package is ESM only (as the README says): attw's esm-only profile
// leaves out require() from CommonJS and node10 resolution. The wasm files
// and callback.html are exported as assets (for bundlers and
// import.meta.resolve), not modules.
test("@arethetypeswrong/cli on the tarball", () => {
  run(bin("attw"), [tarball(), "--profile", "esm-only", "--no-definitely-typed", "--format", "ascii",
    "--exclude-entrypoints", "./mxauth.wasm", "./session.wasm", "./callback.html"]);
});
