// mxauth/rooms (internal; imported by mxauth/preview and mxauth/elements):
// the shared look of the elements and the two room elements,
// <mxauth-room-card> and <mxauth-room-badge>. Importing it in a browser
// defines those two; a page with room cards alone (mxauth/preview) pulls
// neither the sign-in elements nor the session build. Each element paints
// its shell (layout, placeholder, progress line) from plain JS and CSS at
// once, then fills it from load()'s API when the page started it (or a
// login element is about to), else mxauth/preview's.
//
// Rules kept here: shadow DOM only, no global listeners, no changes outside
// the element, server text set with textContent (never innerHTML). What a
// card says (title, initials, colour, member count, error words) is decided
// in Go: roomSummary brings it as s.view, roomwords.js is generated.
import { mainAPI, whenMain, mainExpected, asError } from "./runtime.js";
import { load as loadPreview } from "./preview.js";
import { cardErrors, cardErrorDefault } from "./roomwords.js";

const CSS = `
:host{display:block;font-family:var(--mxauth-font,system-ui,-apple-system,"Segoe UI",sans-serif);
--a:var(--mxauth-accent,#0a6b4f);--r:var(--mxauth-radius,12px);--bg:var(--mxauth-bg,#fff);--fg:var(--mxauth-fg,#1b1d22);
--mu:var(--mxauth-muted,#555d69);--bd:var(--mxauth-border,#d3d8df);--ph:var(--mxauth-placeholder,#e7eaee);
--er:var(--mxauth-error,#b3261e);color:var(--fg);line-height:1.4}
@media (prefers-color-scheme:dark){:host(:not([theme=light])){--a:var(--mxauth-accent,#6ad6ae);--bg:var(--mxauth-bg,#1c1f26);--fg:var(--mxauth-fg,#eef0f4);--mu:var(--mxauth-muted,#a9b1be);
--bd:var(--mxauth-border,#3a414d);--ph:var(--mxauth-placeholder,#2c313b);--er:var(--mxauth-error,#ffb4ab)}}
:host([theme=dark]){--a:var(--mxauth-accent,#6ad6ae);--bg:var(--mxauth-bg,#1c1f26);--fg:var(--mxauth-fg,#eef0f4);--mu:var(--mxauth-muted,#a9b1be);
--bd:var(--mxauth-border,#3a414d);--ph:var(--mxauth-placeholder,#2c313b);--er:var(--mxauth-error,#ffb4ab)}
:host([hidden]){display:none}
.card{position:relative;display:flex;gap:12px;padding:14px 16px;background:var(--bg);
border:1px solid var(--bd);border-radius:var(--r);overflow:hidden;max-width:30rem;box-sizing:border-box}
.av{flex:none;width:48px;height:48px;border-radius:calc(var(--r) * .75);display:grid;place-items:center;
font-weight:650;font-size:18px;color:#fff;background:#59616d;user-select:none}
.av img{width:100%;height:100%;object-fit:cover;border-radius:inherit}
.body{min-width:0;flex:1}
.name{margin:0;font-weight:650;font-size:1.05em;overflow-wrap:anywhere}
.topic{margin:.2em 0 0;color:var(--mu);overflow-wrap:anywhere;display:-webkit-box;-webkit-line-clamp:3;
-webkit-box-orient:vertical;overflow:hidden}
.topic:empty,.st:empty{display:none}
.meta{margin:.45em 0 0;color:var(--mu);font-size:.9em;display:flex;gap:.8em;flex-wrap:wrap;align-items:center}
.ph{display:inline-block;height:.8em;width:9em;border-radius:4px;background:var(--ph)}
.st{margin:.4em 0 0;color:var(--mu);font-size:.85em}
a{color:var(--a);font-weight:600}
a:focus-visible,button:focus-visible,input:focus-visible{outline:2px solid var(--a);outline-offset:2px}
.bar{position:absolute;left:0;right:0;bottom:0;height:3px;background:linear-gradient(90deg,transparent,var(--a),transparent)
no-repeat;background-size:40% 100%;animation:mx 1.1s linear infinite}
[aria-busy=false] .bar{display:none}
@keyframes mx{from{background-position:-60% 0}to{background-position:160% 0}}
@media (prefers-reduced-motion:reduce){.bar{animation:none;opacity:.5}}
.badge{display:inline-flex;font:11px/20px Verdana,Geneva,sans-serif;border-radius:3px;overflow:hidden;vertical-align:middle}
.badge span{padding:0 6px;color:#fff;background:#3b3f46}.badge span+span{background:#59616d}
.badge svg{display:block}
.col{flex-direction:column;gap:8px}
.field{display:flex;flex-direction:column;gap:4px}[hidden]{display:none!important}
.lbl{margin:0;color:var(--mu);font-size:.85em}
.er{margin:0;color:var(--er);font-weight:500;overflow-wrap:anywhere}.er:empty{display:none}
label{font-weight:600}
input{font:inherit;padding:8px 10px;border:1px solid var(--bd);border-radius:calc(var(--r) * .6);background:var(--bg);color:var(--fg)}
.row{display:flex;gap:8px 14px;flex-wrap:wrap;align-items:center}.stack{flex-direction:column;align-items:stretch}
button{font:inherit;font-weight:600;padding:8px 14px;border-radius:calc(var(--r) * .6);border:1px solid var(--a);
cursor:pointer;background:var(--bg);color:var(--a)}
button.p{background:var(--a);color:var(--bg)}
button:disabled{cursor:default;opacity:.6}
.code{margin:.2em 0;font:700 2.2em/1.2 ui-monospace,monospace;letter-spacing:.12em}.code:empty,.qr:empty{display:none}
.qr{width:12rem;max-width:100%;background:#fff;padding:4px;border-radius:4px}.qr svg{display:block;width:100%;height:auto}
`;

let sheet;
// styles puts the shared stylesheet into a shadow root: one constructed
// sheet for every element (no inline <style>, so a strict style-src works).
export function styles(root) {
  try {
    sheet ||= new CSSStyleSheet();
    if (!sheet.cssRules.length) sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h("style", {}, CSS));
  }
}

// h makes an element; text children become text nodes.
export function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, v);
  el.append(...kids);
  return el;
}

// roomAPI is load()'s API when the page or a login element of this task
// starts it (one build for both kinds), else mxauth/preview's.
async function roomAPI() {
  await new Promise((r) => setTimeout(r));
  const full = mainAPI() || (mainExpected() ? whenMain() : null);
  if (full) {
    try { return await full; } catch { /* fall back to the preview build */ }
  }
  return loadPreview();
}

// Base holds the shadow root and the per-element AbortController; update()
// runs after attribute changes, batched to one call per task. On a server
// (SSR, Node) there is no HTMLElement: the classes extend a stand-in so the
// module imports, and nothing is defined (see the end of the file).
const told = new Set();

export class Base extends (globalThis.HTMLElement || class {}) {
  constructor() {
    super();
    styles(this.attachShadow({ mode: "open" }));
  }
  connectedCallback() { this.#queue(); }
  disconnectedCallback() { this.ctl?.abort(); this.ctl = null; }
  attributeChangedCallback() { if (this.isConnected) this.#queue(); }
  #queued = false;
  #queue() {
    if (this.#queued) return;
    this.#queued = true;
    queueMicrotask(() => {
      this.#queued = false;
      if (!this.isConnected) return;
      this.ctl?.abort();
      this.ctl = new AbortController();
      this.update(this.ctl.signal);
    });
  }
  // fail tells the page: an mxauth-error event, and the developer's
  // diagnosis (which URL, CORS, which rule: e.message and e.details) on
  // the console once per message; the element itself shows words for people.
  fail(e, signal) {
    if (signal.aborted) return null;
    e = asError(e);
    if (!told.has(e.message)) { told.add(e.message); console.warn(e.message, e.details || ""); }
    this.dispatchEvent(new CustomEvent("mxauth-error", { detail: e, bubbles: true, composed: true }));
    return e;
  }
  opts(signal) {
    const o = { signal };
    const server = this.getAttribute("server");
    const via = this.getAttribute("via");
    if (server) o.server = server;
    if (via) o.via = via.split(/[\s,]+/).filter(Boolean);
    return o;
  }
}

/** <mxauth-room-card room server via>: a room's name, topic and members. */
class RoomCard extends Base {
  static observedAttributes = ["room", "server", "via"];
  update(signal) {
    const room = this.getAttribute("room") || "";
    const name = h("p", { class: "name", part: "name", id: "n" }, room || "Room");
    const topic = h("p", { class: "topic", part: "topic" });
    const count = h("span", { part: "members" }, h("span", { class: "ph" }));
    const meta = h("p", { class: "meta", part: "meta" }, count);
    const st = h("p", { class: "st", part: "status", role: "status" }, "Loading room preview…");
    const av = h("div", { class: "av", part: "avatar", "aria-hidden": "true" });
    const card = h("article", { class: "card", part: "card", "aria-labelledby": "n", "aria-busy": "true" },
      av, h("div", { class: "body" }, name, topic, meta, st), h("div", { class: "bar", part: "progress" }));
    this.shadowRoot.replaceChildren(card);
    this.summary = null;

    let api;
    roomAPI().then((a) => (api = a).roomSummary(room, this.opts(signal))).then((s) => {
      if (signal.aborted) return;
      this.summary = s;
      avatar(api, av, s.avatarUrl, this.opts(signal).server, signal);
      const v = s.view, label = v.title;
      name.textContent = label;
      topic.textContent = s.topic || "";
      av.textContent = v.initials;
      av.style.background = v.color;
      count.textContent = v.members;
      count.title = v.membersTitle;
      if (s.matrixToUrl) {
        const a = h("a", { href: s.matrixToUrl, part: "link", target: "_blank", rel: "noopener noreferrer" }, "Open in Matrix");
        a.setAttribute("aria-label", `Open in Matrix: ${label}`);
        meta.append(a);
      }
      st.textContent = "";
      card.setAttribute("aria-busy", "false");
    }, (e) => {
      e = this.fail(e, signal);
      if (!e) return;
      count.textContent = "";
      st.textContent = cardErrors[e.code] || cardErrorDefault;
      card.setAttribute("aria-busy", "false");
    });
  }
}

// avatar: with a session on the room's server, the real avatar from a Blob
// session.wasm fetched with the token (never in page JS or an <img src>).
async function avatar(api, av, mxc, server, signal) {
  if (!mxc || !api.thumbnail || !(await api.session().catch(() => 0))) return;
  const blob = await api.thumbnail(mxc, { width: 96, height: 96, server }).catch(() => 0);
  if (!blob || signal.aborted) return;
  const src = URL.createObjectURL(blob), done = () => URL.revokeObjectURL(src);
  const img = h("img", { src, alt: "", part: "avatar-image" });
  img.onload = () => { done(); av.replaceChildren(img); };
  img.onerror = done;
  signal.addEventListener("abort", done);
}

/** <mxauth-room-badge room server label>: the SVG member badge. */
class RoomBadge extends Base {
  static observedAttributes = ["room", "server", "via", "label"];
  update(signal) {
    const label = this.getAttribute("label") || "[matrix]";
    const right = h("span", {}, "…");
    const box = h("span", { class: "badge", part: "badge", role: "img", "aria-busy": "true",
      "aria-label": `${label}: loading` }, h("span", {}, label), right);
    this.shadowRoot.replaceChildren(box);
    const opts = this.opts(signal);
    opts.label = label;
    roomAPI().then((api) => api.roomBadge(this.getAttribute("room") || "", opts)).then((svg) => {
      if (signal.aborted) return;
      const el = parseSVG(svg);
      if (!el) throw new Error("bad badge");
      box.replaceChildren(el);
      box.setAttribute("aria-label", el.getAttribute("aria-label") || label);
      box.setAttribute("aria-busy", "false");
    }).catch((e) => {
      if (signal.aborted) return;
      right.textContent = "unavailable";
      box.setAttribute("aria-label", `${label}: unavailable`);
      box.setAttribute("aria-busy", "false");
      this.fail(e, signal);
    });
  }
}

// parseSVG turns the badge text into an SVG element without the HTML
// parser: DOMParser never runs scripts, and anything active is dropped.
export function parseSVG(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = doc.documentElement;
  if (!svg || svg.localName !== "svg" || doc.querySelector("parsererror")) return null;
  for (const el of [svg, ...svg.querySelectorAll("*")]) {
    if (/^(script|foreignObject|iframe|image|use|a)$/i.test(el.localName)) { el.remove(); continue; }
    for (const at of [...el.attributes]) {
      if (/^on/i.test(at.name) || /href$/i.test(at.name)) el.removeAttribute(at.name);
    }
  }
  svg.removeAttribute("role");
  svg.setAttribute("aria-hidden", "true");
  return document.importNode(svg, true);
}

// Only a browser defines the elements; a server import defines nothing and
// does not throw.
export function define(elements) {
  if (!globalThis.customElements) return;
  for (const [name, cls] of elements) if (!customElements.get(name)) customElements.define(name, cls);
}
define([["mxauth-room-card", RoomCard], ["mxauth-room-badge", RoomBadge]]);
