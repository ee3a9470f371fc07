// mxauth/callback.js: the script of callback.html, the smallest page a
// popup sign-in can come back to (redirectUri): it hands the answer to the
// page that opened the popup and closes, with no WebAssembly.
import { handOver } from "./runtime.js";

if (!handOver()) {
  document.body.textContent = "This page finishes a sign-in in a popup window. You can close it.";
}
