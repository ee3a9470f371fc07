// mxauth: the loader of the full JS API of CONTRACT.md §1. Until it routes
// methods between the two builds, it starts session.wasm, which serves them all.
import { start, envOf, MxAuthError } from "./runtime.js";

export { MxAuthError };

/**
 * load starts session.wasm once per page and resolves to the API; it also
 * registers the custom elements (CONTRACT.md §2). Options of later calls
 * are ignored: the first call decides.
 */
export async function load({ wasmUrl, storage, timeoutMs } = {}) {
  if (storage != null && storage !== "indexeddb" && storage !== "memory") {
    throw new MxAuthError("invalid_input", `mxauth: storage must be "indexeddb" or "memory", not ${JSON.stringify(storage)}`);
  }
  const [api] = await Promise.all([
    start("mxauth", {
      url: wasmUrl || new URL("./session.wasm", import.meta.url),
      ready: "__mxauthReady",
      env: envOf({ timeoutMs, storage }),
    }),
    import("./elements.js"),
  ]);
  return api;
}
