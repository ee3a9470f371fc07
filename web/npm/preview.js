// mxauth/preview: starts the small mxauth.wasm (room summaries and badges,
// no session) once per page. CONTRACT.md §1.
import { start, envOf, MxAuthError } from "./runtime.js";

export { MxAuthError };

/**
 * load starts mxauth.wasm (default: next to this module) and resolves to
 * {roomSummary, roomBadge}. Later calls return the same instance.
 */
export function load({ wasmUrl, timeoutMs } = {}) {
  return start("preview", {
    url: wasmUrl || new URL("./mxauth.wasm", import.meta.url),
    ready: "__mxauthPreviewReady",
    env: envOf({ timeoutMs }),
    // mxauth/preview stays the room API, whatever else the build serves.
    keys: ["roomSummary", "roomBadge"],
  });
}
