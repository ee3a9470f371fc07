// The JS API of mxauth.wasm with no element, as the anchor pages use
// theirs: discover, then #go signs in (startLogin, then navigation); on the
// redirect, completeLogin marks "session" and __bench.refresh(n) forces n
// refreshes (minValidityMs beyond the token's lifetime) and
// __bench.valid(n) n calls that need none; parts.js times what they wait
// for.
import { mark, fail, hs } from "./marks.js";
import "./parts.js";
import { load } from "/npm/index.js";

const mx = await load();
mark("ready");
if (/[#&]code=/.test(location.hash)) {
  mx.completeLogin().then(() => {
    globalThis.__bench.refresh = async (n) => {
      let tok = "";
      for (let i = 0; i < n; i++) tok = await mx.accessToken({ minValidityMs: 24 * 3600e3 });
      return tok.length;
    };
    // n calls while the token is still valid: no refresh.
    globalThis.__bench.valid = async (n) => {
      for (let i = 0; i < n; i++) await mx.accessToken();
    };
    mark("session");
  }, fail);
} else {
  mx.discover(`http://${hs()}`).then((server) => {
    mark("discovered");
    const go = document.getElementById("go");
    go.disabled = false;
    go.addEventListener("click", () => mx.startLogin({ server, redirectUri: location.origin + location.pathname,
      client: { name: "mxauth bench", uri: "https://bench.mxauth.org/" } }).then(({ url }) => location.assign(url), fail));
  }, fail);
}
