// The <mxauth-login> element on mxauth.wasm: marks "shell" (its shell is
// painted), "ready" (load() resolved: mxauth.wasm runs) and "discovered"
// (the element shows "Continue with …": discovery done). A click on the
// button navigates to the authorization URL (run.mjs intercepts it).
import { mark, fail, afterPaint } from "./marks.js";
import "/npm/elements.js";
import { load } from "/npm/index.js";

const el = document.querySelector("mxauth-login");
el.setAttribute("redirect-uri", location.origin + location.pathname);
el.addEventListener("mxauth-error", (ev) => fail(ev.detail));

const discovered = () => {
  const form = el.shadowRoot.querySelector("form");
  const go = form?.querySelector("button.p");
  return form?.getAttribute("aria-busy") === "false" && go && !go.disabled;
};
new MutationObserver((_, obs) => {
  if (discovered()) { mark("discovered"); obs.disconnect(); }
}).observe(el.shadowRoot, { subtree: true, childList: true, attributes: true });

(async () => {
  while (!el.shadowRoot.querySelector("form")) await new Promise(requestAnimationFrame);
  await afterPaint();
  mark("shell");
})();

load().then(() => mark("ready"), fail);
