// The types as a user meets them, against the packed package:
//  - every ```js and ```ts block of README.md and web/npm/README.md
//    compiles under tsc --strict (js blocks with checkJs);
//  - the .d.ts and the running code do not drift: the keys of the API
//    objects load() resolves to in Chromium, and the exports of every entry
//    in Node, equal the member names the .d.ts declares.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { serve, browser, here, root, npmDir, unpack, codeBlocks } from "./harness.mjs";

const tsc = join(here, "../node_modules/.bin/tsc");
let work, pkgDir;
before(() => {
  work = mkdtempSync(join(tmpdir(), "mxauth-types-"));
  pkgDir = unpack(work);
});
after(() => rmSync(work, { recursive: true, force: true }));

// compile writes files (name → text) into work with a strict tsconfig and
// runs tsc; it returns tsc's output, "" when everything compiled.
function compile(files) {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(work, name), text);
  writeFileSync(join(work, "tsconfig.json"), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler",
      lib: ["es2022", "dom", "dom.iterable"], allowJs: true, checkJs: true, skipLibCheck: false, types: [] },
    files: Object.keys(files),
  }));
  try {
    execFileSync(tsc, ["-p", work], { cwd: work, encoding: "utf8" });
    return "";
  } catch (e) {
    return String(e.stdout || "") + String(e.stderr || "") || e.message;
  }
}

test("every js/ts block of the READMEs compiles under tsc --strict against the packed types", () => {
  const files = {};
  for (const readme of ["README.md", "web/npm/README.md"]) {
    const found = codeBlocks(readFileSync(join(root, readme), "utf8"), ["js", "ts"]);
    assert.ok(found.length > 0, `${readme} has js/ts blocks`);
    for (const b of found) {
      // Each block is a module of its own (top-level await, no shared names).
      files[`${readme.replace(/\W+/g, "_")}_line${b.line}.${b.lang}`] = b.code + "\nexport {};\n";
    }
  }
  const out = compile(files);
  assert.equal(out, "", `README blocks do not compile (file names carry the README and the block's first line):\n${out}`);
});

test("the compile check fails on a wrong block (the README check can fail)", () => {
  const out = compile({ "wrong.ts": 'import { load } from "mxauth";\nconst mx = await load();\nmx.nosuch();\nexport {};\n' });
  assert.match(out, /nosuch/);
});

// keysOf lists the own enumerable keys of what load() of an entry resolves
// to in Chromium (the API objects the builds hand to the loader).
async function runtimeKeys() {
  const web = await serve({ "/npm/": npmDir, "/": here }, { HS: "127.0.0.1" });
  const chrome = await browser();
  try {
    const page = await chrome.ctx.newPage();
    await page.goto(`${web.url}/blank.html`);
    return await page.evaluate(async () => {
      const full = await (await import("/npm/index.js")).load({ storage: "memory" });
      const preview = await (await import("/npm/preview.js")).load();
      return { full: Object.keys(full).sort(), preview: Object.keys(preview).sort() };
    });
  } finally {
    await chrome.close(); web.close();
  }
}

const union = (keys) => keys.map((k) => JSON.stringify(k)).join(" | ") || "never";

test("the .d.ts and the running API do not drift (API keys in Chromium, entry exports in Node)", async () => {
  const keys = await runtimeKeys();
  assert.ok(keys.full.includes("discover") && keys.preview.includes("roomSummary"), JSON.stringify(keys));
  // mxauth/react needs @types/react: the consumer matrix checks it (consumers.test.mjs).
  const entries = ["mxauth", "mxauth/preview", "mxauth/elements"];
  const exports = {};
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  for (const e of entries) {
    const file = pkg.exports["." + e.slice("mxauth".length)].default;
    exports[e] = Object.keys(await import(pathToFileURL(join(pkgDir, file)).href)).sort();
  }
  // Same<Runtime, Declared> is true only when both key sets are equal;
  // otherwise tsc prints what is missing on either side.
  let ts = `import type { MxAuth, MxAuthPreview } from "mxauth";
type Same<R, D> = [Exclude<R, D>, Exclude<D, R>] extends [never, never] ? true
  : { atRuntimeNotInTypes: Exclude<R, D>; inTypesNotAtRuntime: Exclude<D, R> };
export const api: Same<${union(keys.full)}, keyof MxAuth> = true;
export const preview: Same<${union(keys.preview)}, keyof MxAuthPreview> = true;
`;
  entries.forEach((e, i) => {
    ts += `export const entry${i}: Same<${union(exports[e])}, keyof typeof import(${JSON.stringify(e)})> = true;\n`;
  });
  const out = compile({ "drift.ts": ts });
  assert.equal(out, "", `the types and the runtime differ:\n${out}\nruntime: ${JSON.stringify({ keys, exports })}`);
});
