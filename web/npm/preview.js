// mxauth/preview: room summaries and badges without sign-in, from the
// small build (README: The API).
import { run, envOf, smallURL, viteDeps, MxAuthError } from "./runtime.js";
// The room elements come with the room API (a card-only page needs no more).
import "./rooms.js";

export { MxAuthError };

/** load starts the build once per page and resolves to {roomSummary, roomBadge}. */
const rooms = new WeakMap(); // run()'s Promise → the room API on it
export function load({ wasmUrl, timeoutMs } = {}) {
  const p = run(new URL(wasmUrl || smallURL(), globalThis.location?.href), envOf({ timeoutMs }), wasmUrl ? null : viteDeps("mxauth.wasm"));
  if (!rooms.has(p)) rooms.set(p, p.then(({ roomSummary, roomBadge }) => Object.freeze({ roomSummary, roomBadge })));
  return rooms.get(p);
}
