// A consumer app of the login build as a bundler user writes it: bare
// imports of "mxauth" (mxauth.wasm) and "mxauth/elements".
import { load, MxAuthError } from "mxauth";
import "mxauth/elements";

const out = document.getElementById("out");
const login = document.querySelector("mxauth-login");
login.addEventListener("mxauth-session", (e) => { out.textContent = `signed in as ${e.detail.userId}`; });
load({ timeoutMs: 10000 }).then(async (mx) => {
  const s = await mx.session();
  if (s) { out.textContent = `signed in as ${s.userId}`; return; }
  const info = await mx.discover(login.getAttribute("server"));
  out.textContent = info.hints.continueWith;
}).catch((e) => {
  out.textContent = e instanceof MxAuthError ? `error ${e.code}` : `unexpected ${e}`;
});
