// A signed-out page with <mxauth-login> and <mxauth-room-card>, as a web
// developer writes it (the elements alone, no load() call): marks
// "discovered" (the login button is ready) and "card" (the summary shows).
import { mark, fail } from "./marks.js";
import "/npm/elements.js";

const login = document.querySelector("mxauth-login");
const card = document.querySelector("mxauth-room-card");
login.setAttribute("redirect-uri", location.origin + location.pathname);
for (const el of [login, card]) el.addEventListener("mxauth-error", (ev) => fail(ev.detail));
const when = (el, name, done) => new MutationObserver((_, obs) => {
  if (done()) { mark(name); obs.disconnect(); }
}).observe(el.shadowRoot, { subtree: true, childList: true, attributes: true });
when(login, "discovered", () => {
  const form = login.shadowRoot.querySelector("form");
  const go = form?.querySelector("button.p");
  return form?.getAttribute("aria-busy") === "false" && go && !go.disabled;
});
when(card, "card", () => card.shadowRoot.querySelector('[aria-busy="false"]'));
