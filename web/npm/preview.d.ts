// Types of "mxauth/preview": the room API of the small build (mxauth.wasm).
import type { MxAuthPreview } from "./mxauth.js";
export type { MxAuthPreview, RoomSummary, RoomCardView, RoomOptions, BadgeOptions, MxAuthErrorCode } from "./mxauth.js";
export { MxAuthError } from "./mxauth.js";

/** Starts mxauth.wasm once per page (default: next to this module). */
export declare function load(opts?: { wasmUrl?: string | URL; timeoutMs?: number }): Promise<MxAuthPreview>;
