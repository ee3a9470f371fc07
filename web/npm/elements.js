// mxauth/elements: the custom elements (README: Sign-in, Room card).
// Importing this module in a browser defines them (its only side effect); on
// a server it defines nothing. Each element paints its shell (layout,
// placeholder, progress line) from plain JS and CSS at once, then fills it
// from the WASM API: the room elements use load()'s API when the page
// already called it, else mxauth/preview's; the login and session elements
// use load()'s, calling it with the defaults when the page has not by the
// end of the task they connected in.
// <mxauth-login>, on a page whose address carries an authorization answer,
// finishes the sign-in (completeLogin, once) and fires mxauth-session or
// mxauth-error.
//
// Rules kept here: shadow DOM only, no global listeners, no changes outside
// the element, server text set with textContent (never innerHTML).
import { mainAPI, whenMain, asError, onLink, report, isCallback, MxAuthError } from "./runtime.js";
import { load as loadPreview } from "./preview.js";

const CSS = `
:host{display:block;font-family:var(--mxauth-font,system-ui,-apple-system,"Segoe UI",sans-serif);
--a:var(--mxauth-accent,#0a6b4f);--r:var(--mxauth-radius,12px);
--bg:#fff;--fg:#1b1d22;--mu:#555d69;--bd:#d3d8df;--ph:#e7eaee;--er:#b3261e;color:var(--fg);line-height:1.4}
@media (prefers-color-scheme:dark){:host{--a:var(--mxauth-accent,#6ad6ae);
--bg:#1c1f26;--fg:#eef0f4;--mu:#a9b1be;--bd:#3a414d;--ph:#2c313b;--er:#ffb4ab}}
:host([hidden]){display:none}
.card{position:relative;display:flex;gap:12px;padding:14px 16px;background:var(--bg);
border:1px solid var(--bd);border-radius:var(--r);overflow:hidden;max-width:30rem;box-sizing:border-box}
.av{flex:none;width:48px;height:48px;border-radius:calc(var(--r) * .75);display:grid;place-items:center;
font-weight:650;font-size:18px;color:#fff;background:#59616d;user-select:none}
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
`;

let sheet;
// styles puts the shared stylesheet into a shadow root: one constructed
// sheet for every element (no inline <style>, so a strict style-src works).
function styles(root) {
  try {
    sheet ||= new CSSStyleSheet();
    if (!sheet.cssRules.length) sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    root.append(h("style", {}, CSS));
  }
}

// h makes an element; text children become text nodes.
function h(tag, attrs = {}, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, v);
  el.append(...kids);
  return el;
}

/** initials of a room name or alias: up to two letters or digits; an alias or id counts its localpart only. */
export function initials(s) {
  s = String(s || "");
  if (/^[#!@+]/.test(s)) s = s.slice(1).split(":")[0];
  const firsts = s.split(/[\s_.-]+/).map((w) => (/[\p{L}\p{N}]/u.exec(w) || [])[0]).filter(Boolean);
  return firsts.slice(0, 2).join("").toUpperCase() || "#";
}

/** colour of an avatar placeholder: a hue from the id, dark enough for white text. */
export function colour(s) {
  let x = 0;
  for (const c of String(s)) x = (x * 31 + c.codePointAt(0)) >>> 0;
  return `hsl(${x % 360} 45% 30%)`;
}

/** members formats a member count short: 999, 1.2k, 3.4M. */
export function members(n) {
  n = Number(n) || 0;
  const short = n < 1e3 ? String(n) : n < 1e6 ? trim(n / 1e3) + "k" : trim(n / 1e6) + "M";
  return `${short} ${n === 1 ? "member" : "members"}`;
}
const trim = (x) => (Math.floor(x * 10) / 10).toFixed(1).replace(/\.0$/, "");

// roomAPI is load()'s API when the page or a login element of this task
// starts it (one build for both kinds), else mxauth/preview's.
async function roomAPI() {
  await new Promise((r) => setTimeout(r));
  const full = mainAPI() || auto;
  if (full) {
    try { return await full; } catch { /* fall back to the preview build */ }
  }
  return loadPreview();
}

// Base holds the shadow root and the per-element AbortController; update()
// runs after attribute changes, batched to one call per task. On a server
// (SSR, Node) there is no HTMLElement: the classes extend a stand-in so the
// module imports, and nothing is defined (see the end of the file).
class Base extends (globalThis.HTMLElement || class {}) {
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
  fail(e, signal) {
    if (signal.aborted) return null;
    e = asError(e);
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
    const av = h("div", { class: "av", part: "avatar", "aria-hidden": "true" }, initials(room));
    av.style.background = colour(room);
    const card = h("article", { class: "card", part: "card", "aria-labelledby": "n", "aria-busy": "true" },
      av, h("div", { class: "body" }, name, topic, meta, st), h("div", { class: "bar", part: "progress" }));
    this.shadowRoot.replaceChildren(card);
    this.summary = null;

    roomAPI().then((api) => api.roomSummary(room, this.opts(signal))).then((s) => {
      if (signal.aborted) return;
      this.summary = s;
      const label = s.name || s.canonicalAlias || s.roomId;
      name.textContent = label;
      topic.textContent = s.topic || "";
      av.textContent = initials(label);
      av.style.background = colour(s.roomId);
      count.textContent = members(s.numJoinedMembers);
      count.title = `${Number(s.numJoinedMembers).toLocaleString("en")} joined`;
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
      st.textContent = `This room cannot be previewed (${e.code}).`;
      card.setAttribute("aria-busy", "false");
    });
  }
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
function parseSVG(text) {
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

// mxauthAPI is load()'s API for the login and session elements: the one
// the page asked for, or, when the page has not called load() by the end
// of the task in which the element connected, one started here with the
// defaults (so `import "mxauth/elements"` alone works).
let auto;
function mxauthAPI() {
  auto ||= new Promise((r) => setTimeout(r)).then(() => mainAPI() || import("./index.js").then((m) => m.load()));
  return mainAPI() || Promise.race([whenMain(), auto]);
}

// link is what the auth server's last answer said, per page (onLink in
// runtime.js). While it is down, one timer retries accessToken with a
// growing pause (1 s, 2 s, 4 s, then every 8 s) while elements are
// connected: a network error never signs anyone out, they say "Offline".
const link = { down: null, fns: new Set(), timer: 0, n: 0, mx: null, probed: false };
onLink((e) => {
  link.down = e;
  clearTimeout(link.timer);
  link.n = e ? Math.min(link.n + 1, 4) : 0;
  if (e) link.timer = setTimeout(() => link.fns.size && link.mx?.accessToken({ minValidityMs: 0 }).catch(() => {}), 500 * 2 ** link.n);
  for (const fn of link.fns) fn();
});
function watchLink(mx, signal, fn) {
  link.mx = mx;
  link.fns.add(fn);
  signal.addEventListener("abort", () => link.fns.delete(fn));
}
const offline = (server) => !link.down ? "" : /^(network|timeout)$/.test(link.down.code)
  ? "Offline — will retry." : `${server || "The server"} is not answering — will retry.`;
// probe asks the homeserver of a stored session for /versions, once per
// page, when an element first shows it: no token is spent or refreshed,
// and a page that starts while the server cannot be reached says so.
function probe(s) {
  if (link.probed || !s?.baseUrl) return;
  link.probed = true;
  const url = `${s.baseUrl}/_matrix/client/versions`;
  fetch(url, { credentials: "omit", cache: "no-store", signal: AbortSignal.timeout?.(15000) }).then((r) => {
    if (r.status >= 500) report(new MxAuthError("server_error", `mxauth: ${url}: HTTP ${r.status}`, { status: r.status }));
    else if (r.status === 429) report(new MxAuthError("rate_limited", `mxauth: ${url}: HTTP 429`, { status: 429 }));
  }, (e) => report(new MxAuthError(e?.name === "TimeoutError" ? "timeout" : "network", `mxauth: cannot reach ${url}`)));
}

// The addresses whose callback an element already took: completeLogin runs
// once per callback, however many elements or updates there are.
const taken = new Set();

const RULES = {
  required: "is missing", https: "must be an https address", not_loopback: "must not point at a loopback host",
  same_host: "must be on the host of the client URI (client-uri) or a subdomain of it", no_fragment: "must not have a #fragment",
  url_characters: "has characters the server refuses", public_suffix: "is a public suffix, not a domain of its own",
  native_redirect: "is not a valid app redirect", language_tag: "is not a language tag",
};
const FIELDS = { client_uri: "client URI (client-uri)", redirect_uri: "redirect address (redirect-uri)", redirect_uris: "redirect address (redirect-uri)",
  logo_uri: "logo (logo-uri)", tos_uri: "terms of service (tos-uri)", policy_uri: "privacy policy (policy-uri)",
  registration_endpoint: "registration endpoint" };

/** explain turns an MxAuthError into a sentence a person can act on. */
export function explain(e, server) {
  const s = server || "the server", d = e.details || {};
  const f = (d.field || "").replace(/\[\d+\]$/, "");
  const wait = e.retryAfterMs ? ` Try again in ${Math.ceil(e.retryAfterMs / 1000)} s.` : " Try again in a moment.";
  switch (e.code) {
    case "invalid_input": return `“${s}” is not a server name, user id or address.`;
    case "network":
      return /discover|well-known/i.test(e.message)
        ? `Could not reach ${s}. Check the name; if the server is up, its /.well-known/matrix/client probably lacks the CORS header (Access-Control-Allow-Origin: *) browsers need.`
        : `Could not reach ${s}. Check your connection; if the server is up, it may not allow requests from this page (CORS).`;
    case "timeout": return `${s} did not answer in time.` + wait;
    case "discovery_failed": case "not_a_homeserver": return `${s} does not look like a Matrix homeserver. Check the name.`;
    case "oauth_unsupported": return `${s} does not offer OAuth sign-in, which this page needs.`;
    case "metadata_invalid": return `${s} describes its sign-in service wrongly${f ? ` (${f})` : ""}; tell its admins.`;
    case "registration_failed":
      if (d.rule) return `This page cannot be registered with ${s}: its ${FIELDS[f] || f || "metadata"} ${RULES[d.rule] || `breaks the rule “${d.rule}”`}.`;
      return `${s} refused to register this page${e.errcode ? ` (${e.errcode})` : ""}.`;
    case "no_pending_login": return "This sign-in was interrupted, already finished or started in another browser. Please sign in again.";
    case "state_mismatch": return "This sign-in answer does not match the sign-in started here. Please sign in again.";
    case "authorization_denied": return "Sign-in was cancelled or refused on the server.";
    case "token_exchange_failed": case "id_token_invalid": return `${s} could not complete the sign-in. Please sign in again.`;
    case "session_expired": return "Your session has ended. Please sign in again.";
    case "rate_limited": return `${s} asks to slow down.` + wait;
    case "storage": return "This browser cannot store the session; you will be signed out when you close the page.";
    default: return `Something went wrong at ${s} (${e.code}).` + wait;
  }
}

/** <mxauth-login server redirect-uri client-name client-uri …>: sign-in buttons from discovery. */
class Login extends Base {
  static observedAttributes = ["server", "server-locked", "redirect-uri", "client-name", "client-uri", "logo-uri",
    "tos-uri", "policy-uri", "client-id"];
  update(signal) {
    const locked = this.hasAttribute("server-locked");
    const input = h("input", { id: "s", part: "input", name: "server", placeholder: "example.org", type: "text",
      autocomplete: "off", autocapitalize: "off", spellcheck: "false", "aria-describedby": "st er", disabled: "" });
    input.value = this.getAttribute("server") || "";
    const field = h("div", { class: "field" }, h("label", { for: "s", part: "label" }, "Homeserver"), input);
    field.hidden = locked;
    const go = h("button", { class: "p", part: "button continue", type: "submit", disabled: "" }, "Continue");
    const create = h("button", { part: "button create", type: "button", hidden: "" }, "Create account");
    const row = h("div", { class: "row stack" }, go, create);
    const st = h("p", { class: "st", part: "status", role: "status", id: "st" }, "Preparing sign-in…");
    const er = h("p", { class: "er", part: "error", role: "alert", id: "er" });
    const title = h("p", { class: "name", part: "title", id: "t" }, "Sign in with Matrix");
    const form = h("form", { class: "card col", part: "card", "aria-busy": "true", "aria-labelledby": "t", novalidate: "" },
      title, field, row, st, er, h("div", { class: "bar", part: "progress" }));
    this.shadowRoot.replaceChildren(form);

    let mx, info, who = null;
    const busy = (b) => form.setAttribute("aria-busy", String(b));
    const say = (text, b = false) => { st.textContent = text; er.textContent = ""; busy(b); };
    const failed = (e, server) => {
      if (!(e = this.fail(e, signal))) return;
      st.textContent = "";
      er.textContent = explain(e, server || info?.serverName || input.value.trim());
      busy(false);
      input.disabled = false;
      return e;
    };
    const signedIn = (s) => {
      who = s;
      field.hidden = locked || !!s;
      row.hidden = !!s;
      title.textContent = s ? "Signed in" : "Sign in with Matrix";
      if (s) { say(`Signed in as ${s.userId}. ${offline(s.serverName)}`.trim()); probe(s); }
    };
    const discover = async () => {
      const server = input.value.trim();
      info = null;
      go.disabled = true;
      go.textContent = "Continue";
      create.hidden = true;
      if (!server) { say(locked ? "No homeserver is set for this page." : "Enter your homeserver, for example matrix.org."); return; }
      say(`Looking up ${server}…`, true);
      let got;
      try { got = await mx.discover(server, { signal }); } catch (e) { if (input.value.trim() === server) failed(e, server); return; }
      if (signal.aborted || input.value.trim() !== server) return;
      info = { ...got, input: server };
      const label = got.hints.continueWith;
      if (!label || !got.oauth) {
        failed(Object.assign(new Error("no oauth"), { code: "oauth_unsupported", name: "MxAuthError" }), got.serverName);
        return;
      }
      go.textContent = label;
      go.disabled = false;
      create.hidden = !got.hints.showCreateAccount;
      say("");
    };
    const login = async (action) => {
      if (!mx || !info) return;
      const a = (n) => this.getAttribute(n) || undefined;
      go.disabled = true;
      input.disabled = true;
      say(`Opening the sign-in page of ${info.serverName}…`, true);
      try {
        // A typed user id starts the sign-in page on that account (MSC4198
        // login_hint); el.state (a JSON value) comes back from completeLogin().
        const { url } = await mx.startLogin({ server: info, action, state: this.state,
          loginHint: info.input.startsWith("@") ? info.input : undefined,
          redirectUri: a("redirect-uri") || location.origin + location.pathname, clientId: a("client-id"),
          client: { name: a("client-name") || document.title || location.host, uri: a("client-uri") || location.origin,
            logoUri: a("logo-uri"), tosUri: a("tos-uri"), policyUri: a("policy-uri") } });
        if (!signal.aborted) location.assign(url);
      } catch (e) { if (failed(e)) go.disabled = false; }
    };
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      if (info && info.input === input.value.trim()) login("login"); else if (mx) discover();
    });
    create.addEventListener("click", () => login("register"));
    input.addEventListener("change", () => { if (mx) discover(); });

    const onSession = ({ detail }) => {
      if (signal.aborted) return;
      const was = who;
      signedIn(detail);
      if (was && !detail) discover();
    };
    mxauthAPI().then(async (api) => {
      if (signal.aborted) return;
      mx = api;
      mx.addEventListener("session", onSession);
      signal.addEventListener("abort", () => mx.removeEventListener("session", onSession));
      watchLink(mx, signal, () => { if (who) st.textContent = `Signed in as ${who.userId}. ${offline(who.serverName)}`.trim(); });
      input.disabled = false;
      if (isCallback() && !taken.has(location.href)) {
        taken.add(location.href);
        say("Finishing sign-in…", true);
        row.hidden = true;
        try {
          const { session: s } = await mx.completeLogin();
          signedIn(s);
          this.dispatchEvent(new CustomEvent("mxauth-session", { detail: s, bubbles: true, composed: true }));
          return;
        } catch (e) {
          row.hidden = false;
          failed(e);
          if (signal.aborted) return;
        }
      }
      const s = await mx.session().catch(() => null);
      if (signal.aborted) return;
      if (s) { signedIn(s); return; }
      if (!er.textContent) await discover(); else { const msg = er.textContent; await discover(); if (!er.textContent) er.textContent = msg; }
    }, failed);
  }
}

/** <mxauth-session>: who is signed in, "Manage account", "Sign out". */
class Session extends Base {
  update(signal) {
    const title = h("p", { class: "lbl", part: "label", id: "t" }, "Matrix account");
    const who = h("p", { class: "name", part: "name" }, "Not signed in");
    const manage = h("a", { part: "link manage", hidden: "", target: "_blank", rel: "noopener" }, "Manage account");
    const out = h("button", { part: "button signout", type: "button", hidden: "" }, "Sign out");
    const row = h("div", { class: "row" }, manage, out);
    const st = h("p", { class: "st", part: "status", role: "status" }, "Loading session…");
    const er = h("p", { class: "er", part: "error", role: "alert" });
    const card = h("section", { class: "card col", part: "card", "aria-busy": "true", "aria-labelledby": "t" },
      title, who, row, st, er, h("div", { class: "bar", part: "progress" }));
    this.shadowRoot.replaceChildren(card);
    let mx, shown = null;
    const show = async (s) => {
      if (signal.aborted) return;
      shown = s;
      who.textContent = s ? s.userId : "Not signed in";
      title.textContent = s ? "Signed in as" : "Matrix account";
      out.hidden = !s;
      out.disabled = false;
      st.textContent = s ? offline(s.serverName) : "";
      card.setAttribute("aria-busy", "false");
      if (!s) { manage.hidden = true; return; }
      probe(s);
      const url = await mx.accountUrl().catch(() => null);
      if (signal.aborted || shown !== s) return;
      if (url) manage.href = url;
      manage.hidden = !url;
    };
    const onSession = ({ detail }) => {
      if (!detail || !shown || detail.userId !== shown.userId) er.textContent = "";
      show(detail);
    };
    out.addEventListener("click", async () => {
      out.disabled = true;
      card.setAttribute("aria-busy", "true");
      st.textContent = "Signing out…";
      er.textContent = "";
      const server = shown?.serverName;
      try { await mx.logout(); } catch (e) {
        if ((e = this.fail(e, signal))) er.textContent = `Signed out here, but ${server || "the server"} could not be told: ${explain(e, server)}`;
      }
      show(await mx.session().catch(() => null));
    });
    mxauthAPI().then((api) => {
      if (signal.aborted) return;
      mx = api;
      mx.addEventListener("session", onSession);
      signal.addEventListener("abort", () => mx.removeEventListener("session", onSession));
      watchLink(mx, signal, () => { if (shown && !out.disabled) st.textContent = offline(shown.serverName); });
      return mx.session().then(show);
    }).catch((e) => {
      if ((e = this.fail(e, signal))) { st.textContent = ""; er.textContent = explain(e); card.setAttribute("aria-busy", "false"); }
    });
  }
}

// Only a browser defines the elements; a server import defines nothing and
// does not throw.
if (globalThis.customElements) {
  for (const [name, cls] of [["mxauth-room-card", RoomCard], ["mxauth-room-badge", RoomBadge],
    ["mxauth-login", Login], ["mxauth-session", Session]]) {
    if (!customElements.get(name)) customElements.define(name, cls);
  }
}
