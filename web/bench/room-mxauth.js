// <mxauth-room-card> on mxauth.wasm (the small build): marks "shell" and "card" (the
// summary is shown: aria-busy false).
import { mark, fail, afterPaint } from "./marks.js";
import "/npm/elements.js";

const el = document.querySelector("mxauth-room-card");
el.addEventListener("mxauth-error", (ev) => fail(ev.detail));
new MutationObserver((_, obs) => {
  if (el.shadowRoot.querySelector('[aria-busy="false"]')) { mark("card"); obs.disconnect(); }
}).observe(el.shadowRoot, { subtree: true, childList: true, attributes: true });
(async () => {
  while (!el.shadowRoot.querySelector(".card")) await new Promise(requestAnimationFrame);
  await afterPaint();
  mark("shell");
})();
