// mxauth/preview: room summaries and badges without sign-in (CONTRACT.md
// §1): starts the build of the "preview" role (runtime.js FILES) once per
// page.
import { run, envOf, fileURL, MxAuthError } from "./runtime.js";

export { MxAuthError };

/**
 * load starts the preview build (default: next to this module) and resolves
 * to {roomSummary, roomBadge}. Later calls return the same instance.
 */
export function load({ wasmUrl, timeoutMs } = {}) {
  return run(new URL(wasmUrl || fileURL("preview"), globalThis.location?.href), envOf({ timeoutMs }));
}
