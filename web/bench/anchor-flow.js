// anchor-flow.js: the steps mxauth does, written with each JS anchor the
// way its documentation shows. `lib` is the module namespace of one bundle
// built by run.mjs from anchor/*.js; `kind` names it.
//
//   discover:  well-known → base URL (→ /versions) → auth metadata
//   login:     dynamic registration → authorization URL → navigate
//   complete:  code exchange (PKCE) → whoami
//   refresh:   refresh-token grant with rotation
//
// oidc-client-ts knows no Matrix discovery: the well-known is a plain
// fetch, and its UserManager loads the metadata from metadataUrl.
import { mark, fail, hs } from "./marks.js";

const CLIENT = { client_name: "mxauth bench", client_uri: "https://bench.mxauth.org/", application_type: "native" };
const KEY = "bench-anchor-login";
const redirectUri = () => location.origin + location.pathname;

export async function discover(kind, lib) {
  const server = `http://${hs()}`;
  if (kind === "oidc-client-ts") {
    const wk = await (await fetch(`${server}/.well-known/matrix/client`)).json();
    const base = wk["m.homeserver"].base_url.replace(/\/$/, "");
    const um = new lib.UserManager({ authority: base, metadataUrl: `${base}/_matrix/client/v1/auth_metadata`,
      client_id: "unregistered", redirect_uri: redirectUri() });
    return { base, metadata: await um.metadataService.getMetadata() };
  }
  const cfg = await lib.AutoDiscovery.findClientConfig(server);
  const hsCfg = cfg["m.homeserver"];
  if (hsCfg.state !== "SUCCESS") throw new Error(`discovery: ${hsCfg.state} ${hsCfg.error}`);
  const base = hsCfg.base_url.replace(/\/$/, "");
  let metadata;
  if (lib.createClient) {
    metadata = await lib.createClient({ baseUrl: base }).getAuthMetadata();
  } else {
    metadata = await (await fetch(`${base}/_matrix/client/v1/auth_metadata`)).json();
    if (!lib.isValidAuthMetadata(metadata)) throw new Error("invalid auth metadata");
  }
  return { base, metadata };
}

export async function login(lib, { base, metadata }) {
  const clientId = await lib.OAuth2.registerClient(metadata, { ...CLIENT, redirect_uris: [redirectUri()] });
  const oauth = new lib.OAuth2(metadata, { clientId });
  const state = crypto.randomUUID();
  const url = await oauth.generateAuthorizationCodeGrantUrl(state, redirectUri());
  sessionStorage.setItem(KEY, JSON.stringify({ base, metadata, state, ...oauth.context }));
  location.assign(url);
}

// complete finishes a login on the redirect; resolves to {refresh(n)}.
export async function complete(lib) {
  const saved = JSON.parse(sessionStorage.getItem(KEY));
  sessionStorage.removeItem(KEY);
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.get("state") !== saved.state) throw new Error("state mismatch");
  const { clientId, deviceId, codeVerifier } = saved;
  const oauth = new lib.OAuth2(saved.metadata, { clientId, deviceId, codeVerifier });
  let tokens = await oauth.completeAuthorizationCodeGrant(params.get("code"), redirectUri());
  history.replaceState(null, "", location.pathname + location.search);
  if (lib.createClient) {
    await lib.createClient({ baseUrl: saved.base, accessToken: tokens.access_token }).whoami();
  }
  return {
    async refresh(n) {
      for (let i = 0; i < n; i++) tokens = await oauth.performRefreshTokenGrant(tokens.refresh_token);
      return tokens.access_token.length;
    },
  };
}

// page wires an anchor page: marks "ready" (the bundle is evaluated) and
// "discovered"; #go starts the login; a redirect with a code completes it
// and marks "session".
export function page(kind, lib) {
  mark("ready");
  const go = document.getElementById("go");
  if (/[#&]code=/.test(location.hash)) {
    complete(lib).then((s) => { globalThis.__bench.refresh = s.refresh; mark("session"); }, fail);
    return;
  }
  discover(kind, lib).then((found) => {
    mark("discovered");
    go.disabled = false;
    go.addEventListener("click", () => login(lib, found).catch(fail));
  }, fail);
}
