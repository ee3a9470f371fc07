// mxauth/elements: the custom elements (README: Sign-in, Room card).
// Importing this module in a browser defines them (its only side effect); on
// a server it defines nothing. The room elements live in rooms.js (shared
// with mxauth/preview); here are <mxauth-login> and <mxauth-session>, which
// use load()'s API, calling it with the defaults when the page has not by
// the end of the task they connected in. <mxauth-login>, on a page whose
// address carries an authorization answer, finishes the sign-in
// (completeLogin, once) and fires mxauth-session or mxauth-error, unless
// its callback attribute is "page".
//
// Rules kept here: shadow DOM only, no global listeners, no changes outside
// the element, server text set with textContent (never innerHTML).
import { mainAPI, whenMain, expectMain, onLink, report, isCallback, MxAuthError } from "./runtime.js";
import { Base, h, define, parseSVG } from "./rooms.js";


// mxauthAPI is load()'s API for the login and session elements: the one
// the page asked for, or, when the page has not called load() by the end
// of the task in which the element connected, one started here with the
// defaults (so `import "mxauth/elements"` alone works).
let auto;
function mxauthAPI() {
  expectMain();
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
    // Which URL failed and whether CORS is the cause is for the developer
    // (e.message, e.details, the console): a person checks the address.
    case "network":
      return /discover|well-known/i.test(e.message)
        ? `Can't reach ${s}. Check the address, or try again later.`
        : `Can't reach ${s}. Check your connection, or try again later.`;
    case "timeout": return `${s} did not answer in time.` + wait;
    case "discovery_failed": case "not_a_homeserver": return `${s} does not look like a Matrix homeserver. Check the name.`;
    // details.explanation: Go's words for a server without a sign-in button (hints).
    case "oauth_unsupported": return d.explanation || `${s} does not offer the sign-in this page uses (OAuth 2.0).`;
    case "metadata_invalid": return `${s} describes its sign-in service wrongly${f ? ` (${f})` : ""}; tell its admins.`;
    case "registration_failed":
      if (d.rule) return `This page cannot be registered with ${s}: its ${FIELDS[f] || f || "metadata"} ${RULES[d.rule] || `breaks the rule “${d.rule}”`}.`;
      return `${s} refused to register this page${e.errcode ? ` (${e.errcode})` : ""}.`;
    case "no_pending_login": return "This sign-in was interrupted, already finished or started in another browser. Please sign in again.";
    case "state_mismatch": return "This sign-in answer does not match the sign-in started here. Please sign in again.";
    case "authorization_denied": return d.reason === "popup_blocked" ? "The browser blocked the sign-in window. Allow pop-ups for this site and try again."
      : d.reason === "popup_closed" ? "The sign-in window was closed before you finished." : "Sign-in was cancelled or refused on the server.";
    case "token_exchange_failed": case "id_token_invalid": return `${s} could not complete the sign-in. Please sign in again.`;
    case "session_expired": return "Your session has ended. Please sign in again.";
    case "rate_limited": return `${s} asks to slow down.` + wait;
    case "storage": return "This browser cannot store the session; you will be signed out when you close the page.";
    default: return `Something went wrong at ${s} (${e.code}).` + wait;
  }
}

// signedInText is the login element's line when signed in: who, unless an
// <mxauth-session> on the page says it already.
const signedInText = (s) => `${document.querySelector("mxauth-session") ? "You are signed in." : `Signed in as ${s.userId}.`} ${offline(s.serverName)}`.trim();

/** <mxauth-login server redirect-uri client-name client-uri …>: sign-in buttons from discovery. */
class Login extends Base {
  static observedAttributes = ["server", "server-locked", "redirect-uri", "client-name", "client-uri", "logo-uri",
    "tos-uri", "policy-uri", "client-id", "mode", "popup"];
  update(signal) {
    if (this.getAttribute("mode") === "device") return this.device(signal);
    const locked = this.hasAttribute("server-locked");
    const input = h("input", { id: "s", part: "input", name: "server", placeholder: "example.org", type: "text",
      autocomplete: "off", autocapitalize: "off", spellcheck: "false", "aria-describedby": "st er", disabled: "" });
    input.value = this.getAttribute("server") || "";
    const field = h("div", { class: "field" }, h("label", { for: "s", part: "label" }, "Homeserver"), input);
    field.hidden = locked;
    const go = h("button", { class: "p", part: "button continue", type: "submit", disabled: "" }, "Continue");
    const create = h("button", { part: "button create", type: "button", hidden: "" }, "Create account");
    // hints.providers: a button per identity provider, instead of Continue.
    const idps = h("div", { class: "row stack" });
    const row = h("div", { class: "row stack" }, go, idps, create);
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
      if (s) { say(signedInText(s)); probe(s); }
    };
    const discover = async () => {
      const server = input.value.trim();
      info = null;
      go.disabled = true;
      go.textContent = "Continue";
      create.hidden = true;
      idps.replaceChildren();
      if (!server) { say(locked ? "No homeserver is set for this page." : "Enter your homeserver, for example matrix.org."); return; }
      say(`Looking up ${server}…`, true);
      let got;
      try { got = await mx.discover(server, { signal }); } catch (e) { if (input.value.trim() === server) failed(e, server); return; }
      if (signal.aborted || input.value.trim() !== server) return;
      info = { ...got, input: server };
      const { continueWith: label, unavailable: reason, explanation } = got.hints;
      if (!label) {
        // The reason and the words are decided in Go (hints), as the demo shows them.
        const flows = got.login?.flows?.join(" ") || "";
        failed(new MxAuthError("oauth_unsupported", `mxauth: ${got.serverName} has no sign-in this page can use (${reason}; /login lists ${flows || "nothing"})`,
          { details: { reason, flows, explanation } }), got.serverName);
        return;
      }
      go.textContent = label;
      go.disabled = false;
      const ps = got.hints.providers || [];
      go.hidden = ps.length > 0;
      idps.replaceChildren(...ps.map((p) => {
        const b = h("button", { part: "button provider", type: "button" }, p.label);
        b.onclick = () => login("login", p.idp);
        return b;
      }));
      create.hidden = !got.hints.showCreateAccount;
      say("");
    };
    const login = async (action, idp) => {
      if (!mx || !info) return;
      const a = (n) => this.getAttribute(n) || undefined;
      // A typed user id starts the sign-in page on that account (MSC4198
      // login_hint); el.state (a JSON value) comes back from completeLogin().
      const opts = { server: info, action, idp, state: this.state,
        loginHint: info.input.startsWith("@") ? info.input : undefined,
        redirectUri: a("redirect-uri") || location.origin + location.pathname, clientId: a("client-id"),
        client: { name: a("client-name") || document.title || location.host, uri: a("client-uri") || location.origin,
          logoUri: a("logo-uri"), tosUri: a("tos-uri"), policyUri: a("policy-uri") } };
      // popup: the window opens now, inside the click, before any await.
      const popup = this.hasAttribute("popup") ? mx.login({ ...opts, popup: true }) : null;
      go.disabled = true;
      input.disabled = true;
      say(popup ? `Sign in to ${info.serverName} in the window that opened…` : `Opening the sign-in page of ${info.serverName}…`, true);
      try {
        if (popup) {
          const s = await popup;
          if (signal.aborted) return;
          signedIn(s);
          this.dispatchEvent(new CustomEvent("mxauth-session", { detail: s, bubbles: true, composed: true }));
          return;
        }
        const { url } = await mx.startLogin(opts);
        if (!signal.aborted) location.assign(url);
      } catch (e) { if (failed(e)) { go.disabled = false; input.disabled = false; } }
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
      watchLink(mx, signal, () => { if (who) st.textContent = signedInText(who); });
      input.disabled = false;
      // callback="page": the page calls completeLogin() itself; the
      // element follows through the session event.
      if (isCallback() && this.getAttribute("callback") !== "page" && !taken.has(location.href)) {
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

  // device is mode="device": for a TV, kiosk or shared screen, the device
  // authorization grant (RFC 8628). It shows the code large (announced),
  // the address and a QR code of it, a countdown, and "Get a new code"
  // once the code expired or was refused; it signs in when the person
  // approves on their phone.
  device(signal) {
    const title = h("p", { class: "name", part: "title", id: "t" }, "Sign in with your phone");
    const how = h("p", { class: "lbl", part: "label" });
    const code = h("p", { class: "code", part: "code", role: "status", "aria-live": "polite", "aria-atomic": "true" });
    const qr = h("div", { class: "qr", part: "qr", role: "img" });
    const left = h("p", { class: "st", part: "status" });
    const st = h("p", { class: "st", part: "status", role: "status" }, "Preparing sign-in…");
    const er = h("p", { class: "er", part: "error", role: "alert" });
    const again = h("button", { class: "p", part: "button retry", type: "button", hidden: "" }, "Get a new code");
    const card = h("section", { class: "card col", part: "card", "aria-busy": "true", "aria-labelledby": "t" },
      title, how, code, qr, left, st, er, again, h("div", { class: "bar", part: "progress" }));
    this.shadowRoot.replaceChildren(card);
    const a = (n) => this.getAttribute(n) || undefined;
    let timer = 0, run;
    signal.addEventListener("abort", () => { clearInterval(timer); run?.abort(); });
    const busy = (b) => card.setAttribute("aria-busy", String(b));
    const clear = () => { clearInterval(timer); code.textContent = ""; how.textContent = ""; left.textContent = ""; qr.replaceChildren(); };
    const stop = (e) => {
      if (!(e = this.fail(e, signal))) return;
      clear();
      st.textContent = "";
      er.textContent = e.code === "device_code_expired" ? "The code expired." : explain(e, a("server"));
      again.hidden = false;
      busy(false);
      again.focus();
    };
    const start = async (mx) => {
      run?.abort();
      run = new AbortController();
      again.hidden = true;
      er.textContent = "";
      st.textContent = "Getting a sign-in code…";
      busy(true);
      const server = a("server");
      if (!server) { stop(new MxAuthError("invalid_input", "mxauth: <mxauth-login mode=\"device\"> needs a server attribute")); return; }
      const d = await mx.startDeviceLogin({ server, clientId: a("client-id"),
        client: { name: a("client-name") || document.title || location.host, uri: a("client-uri") || location.origin,
          logoUri: a("logo-uri"), tosUri: a("tos-uri"), policyUri: a("policy-uri") } });
      if (signal.aborted) return;
      how.textContent = `On your phone or computer, open ${d.verificationUri} and enter this code${d.qrSvg ? ", or scan the QR code" : ""}:`;
      code.textContent = d.userCode;
      const svg = d.qrSvg && parseSVG(d.qrSvg);
      if (svg) { qr.replaceChildren(svg); qr.setAttribute("aria-label", `QR code of ${d.verificationUriComplete || d.verificationUri}`); }
      const tick = () => {
        const s = Math.max(0, Math.round((d.expiresAt - Date.now()) / 1000));
        left.textContent = `The code expires in ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}.`;
      };
      tick();
      timer = setInterval(tick, 1000);
      st.textContent = "Waiting for you to approve…";
      const session = await mx.waitDeviceLogin(d, { signal: run.signal });
      if (signal.aborted) return;
      clear();
      title.textContent = "Signed in";
      st.textContent = `Signed in as ${session.userId}.`;
      busy(false);
      this.dispatchEvent(new CustomEvent("mxauth-session", { detail: session, bubbles: true, composed: true }));
    };
    mxauthAPI().then((mx) => {
      if (signal.aborted) return;
      again.addEventListener("click", () => start(mx).catch(stop));
      return start(mx);
    }).catch(stop);
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

define([["mxauth-login", Login], ["mxauth-session", Session]]);
