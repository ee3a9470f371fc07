// Runs the Go test binary test.wasm (GOOS=js) in this page, with the
// arguments of the query string (?run=Pattern), and leaves its exit code
// in window.goExit; wasm_exec.js writes its output to the console.
(async () => {
  const go = new Go();
  const run = new URLSearchParams(location.search).get("run") || ".";
  go.argv = ["test.wasm", "-test.v", "-test.run", run];
  go.exit = (code) => { window.goExit = code; };
  try {
    const r = await WebAssembly.instantiateStreaming(fetch("test.wasm"), go.importObject);
    await go.run(r.instance);
  } catch (e) {
    console.error("go test: " + e);
    window.goExit = -1;
  }
})();
