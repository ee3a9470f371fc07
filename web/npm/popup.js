// mxauth/popup.js: the opener's side of a popup sign-in (login({ popup:
// true }), README: Popup sign-in). index.js opens the window inside the
// click and imports this module only then, so pages that never use a popup
// do not download it.
import { POPUP, MxAuthError } from "./runtime.js";

/**
 * signInIn drives the opened window w (null: the browser blocked it): it asks api.startLogin(opts) for the
 * authorization URL and sends w there; the answer comes back by
 * postMessage from this origin (runtime.js handOver) and is completed with
 * api.completeLogin. Resolves to the Session; closing the window rejects
 * with authorization_denied (details.reason "popup_closed").
 */
export function signInIn(w, api, opts) {
  if (!w) {
    return Promise.reject(new MxAuthError("authorization_denied", "mxauth: the browser blocked the sign-in popup " +
      "(open it from a click, or pass popupFallback: \"redirect\")", { details: { reason: "popup_blocked" } }));
  }
  return new Promise((resolve, reject) => {
    let done = false;
    let state;
    const end = (fn, v) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      removeEventListener("message", onMessage);
      globalThis[POPUP]?.delete(state);
      fn(v);
    };
    const onMessage = (e) => {
      if (e.origin !== location.origin || e.source !== w || e.data?.type !== POPUP || typeof e.data.url !== "string") return;
      // The popup closes itself once it has handed over: that is not a
      // person closing it while the answer is completed.
      clearInterval(poll);
      api.completeLogin(e.data.url).then((r) => end(resolve, r.session), (err) => end(reject, err));
    };
    addEventListener("message", onMessage);
    const poll = setInterval(() => {
      if (w.closed) end(reject, new MxAuthError("authorization_denied", "mxauth: the sign-in popup was closed", { details: { reason: "popup_closed" } }));
    }, 400);
    api.startLogin(opts).then(({ url }) => {
      if (done) return;
      // handOver in the popup answers only an opener waiting for this state
      // (a legacy SSO login carries it in its redirectUrl, which the server
      // sends back as it is).
      const q = new URL(url).searchParams;
      state = q.get("state") ?? new URL(q.get("redirectUrl") ?? "x:").searchParams.get("state");
      (globalThis[POPUP] ??= new Set()).add(state);
      w.location.href = url;
    }, (err) => { w.close(); end(reject, err); });
  });
}
