// The packed npm package carries its licence, Go's licence beside
// wasm_exec.js, the notices of every module compiled into its wasm, and
// the metadata a company's review looks for.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { root, npmDir } from "./harness.mjs";

const pkg = JSON.parse(readFileSync(join(npmDir, "package.json"), "utf8"));

test("npm pack lists the licence files", () => {
  const out = execFileSync("npm", ["pack", "--dry-run", "--json"], { cwd: npmDir, encoding: "utf8" });
  const files = JSON.parse(out)[0].files.map((f) => f.path);
  for (const f of ["LICENSE", "wasm_exec.LICENSE", "THIRD-PARTY-NOTICES.txt"]) {
    assert.ok(files.includes(f), `${f} in npm pack --dry-run (${files.join(", ")})`);
  }
  assert.equal(readFileSync(join(npmDir, "LICENSE"), "utf8"), readFileSync(join(root, "LICENSE"), "utf8"));
  assert.match(readFileSync(join(npmDir, "wasm_exec.LICENSE"), "utf8"), /The Go Authors/);
});

test("the notices name every module compiled into a shipped wasm", () => {
  const notices = readFileSync(join(npmDir, "THIRD-PARTY-NOTICES.txt"), "utf8");
  assert.match(notices, /^==== Go \(runtime, standard library, wasm_exec\.js\)/m);
  const mains = readdirSync(npmDir).filter((f) => f.endsWith(".wasm")).map((f) => "./wasm/" + f.replace(/\.wasm$/, ""));
  assert.ok(mains.length > 0, "no wasm in the package");
  const mods = execFileSync("go", ["list", "-deps", "-f", "{{with .Module}}{{if not .Main}}{{.Path}}{{end}}{{end}}", ...mains],
    { cwd: root, encoding: "utf8", env: { ...process.env, GOOS: "js", GOARCH: "wasm" } })
    .split("\n").filter(Boolean);
  for (const m of new Set(mods)) assert.match(notices, new RegExp(`^==== ${m.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")} `, "m"), `${m} in the notices`);
  // Apache-2.0 §4(d): a NOTICE file travels with the work.
  assert.match(notices, /^---- NOTICE/m);
});

test("package.json has what a review asks for", () => {
  assert.equal(pkg.license, "Apache-2.0");
  assert.match(pkg.repository?.url ?? "", /github\.com\/mxauth\/mxauth/);
  assert.ok(pkg.homepage && pkg.bugs?.url, "homepage and bugs");
  assert.ok(pkg.engines?.node, "engines.node");
});
