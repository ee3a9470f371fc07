// An OpenID provider nobody here wrote (oidc-provider v9, npm), configured
// to behave like the Matrix Authentication Service where a Matrix client can
// tell (../../../../shared/peers/oidc-provider.md): open dynamic
// registration, public clients with PKCE S256, refresh tokens that rotate,
// Matrix scopes, prompt=create, RFC 7009 revocation, RFC 9207 iss, and the
// device authorization grant (RFC 8628, spec v1.18), which MAS enables by
// default.
//
// The Go integration test (auth/peer_test.go) starts it and plays the
// browser: interactions finish at once, signing in as PEER_USER (default
// "alice"), so no login or consent page is ever shown. The device flow's own
// pages (type the code, confirm or abort) are oidc-provider's defaults; the
// Go test submits their forms.
//
// It listens on 127.0.0.1 only (PORT, default a free port) and prints one
// JSON line: {"issuer", "introspection_endpoint", "introspection_client_id",
// "introspection_client_secret"}. The homeserver side checks access tokens
// by introspection with that confidential client, as Synapse does with MAS.
//
// Usage: node peer/oidc-provider.mjs   (env: PORT, PEER_USER, ACCESS_TOKEN_TTL)

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { interactionPolicy } from 'oidc-provider';

const host = '127.0.0.1';
const port = Number(process.env.PORT || 0);
const user = process.env.PEER_USER || 'alice';
const accessTokenTTL = Number(process.env.ACCESS_TOKEN_TTL || 300); // MAS's default
const homeserver = { id: 'homeserver', secret: randomBytes(24).toString('hex') };

// Matrix scopes are not OIDC scopes: they are granted for one resource
// server, the homeserver (RFC 8707). The resource echoes the Matrix scopes
// of the request, so any device id is accepted, as MAS does.
const resource = 'urn:mxauth:peer:homeserver';
const matrixScope = /^urn:matrix:(client|org\.matrix\.msc2967\.client):(api:\*|device:[A-Za-z0-9._~!$&'()*+,;=:@/-]{10,})$/;

function requestedMatrixScopes(ctx) {
  const sources = [
    ctx.oidc?.params?.scope,
    ctx.oidc?.entities?.AuthorizationCode?.scope,
    ctx.oidc?.entities?.RefreshToken?.scope,
    ctx.oidc?.entities?.DeviceCode?.params?.scope,
  ];
  const out = new Set();
  for (const s of sources) {
    for (const tok of String(s || '').split(' ')) {
      if (matrixScope.test(tok)) out.add(tok);
    }
  }
  return [...out].join(' ');
}

const policy = interactionPolicy.base();
// prompt=create (MSC2964): requestable, no checks of its own.
policy.add(new interactionPolicy.Prompt({ name: 'create', requestable: true }), 0);

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'peer-1', use: 'sig', alg: 'RS256' };

// Addresses are decided by the listener; the issuer must be known first.
const server = createServer();
await new Promise((resolve) => server.listen(port, host, resolve));
const issuer = `http://${host}:${server.address().port}`;

const provider = new Provider(issuer, {
  jwks: { keys: [jwk] },
  clients: [{
    client_id: homeserver.id,
    client_secret: homeserver.secret,
    grant_types: [],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  clientDefaults: {
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    id_token_signed_response_alg: 'RS256',
  },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true, initialAccessToken: false },
    revocation: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, indicator) => {
        if (indicator !== resource) throw new Error('unknown resource');
        return {
          scope: requestedMatrixScopes(ctx),
          audience: homeserver.id,
          accessTokenFormat: 'opaque',
          accessTokenTTL,
        };
      },
    },
  },
  pkce: { required: () => true },
  // Refresh tokens for every client allowed the grant, not only with
  // offline_access (MAS issues them always).
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  interactions: {
    policy,
    url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  discovery: { prompt_values_supported: ['login', 'consent', 'create'] },
  ttl: { AccessToken: accessTokenTTL },
  scopes: ['openid'],
  claims: { openid: ['sub'] },
});

// CORS on registration, which oidc-provider leaves out (MAS sends it).
provider.use(async (ctx, next) => {
  if (ctx.path === '/reg') {
    ctx.set('Access-Control-Allow-Origin', '*');
    if (ctx.method === 'OPTIONS') {
      ctx.set('Access-Control-Allow-Methods', 'POST, OPTIONS');
      ctx.set('Access-Control-Allow-Headers', 'Content-Type, Authorization');
      ctx.status = 204;
      return;
    }
  }
  await next();
});

// Interactions finish at once: sign in (or "create" the account) as user,
// then consent to what was asked.
provider.use(async (ctx, next) => {
  const m = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (!m || ctx.method !== 'GET') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session, grantId } = details;
  let result;
  let merge = false;
  if (prompt.name === 'login') {
    result = { login: { accountId: user } };
  } else if (prompt.name === 'create') {
    // A requested prompt counts as resolved when the result names it.
    result = { create: { accountId: user }, login: { accountId: user } };
  } else if (prompt.name === 'consent') {
    const grant = grantId
      ? await provider.Grant.find(grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const d = prompt.details;
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes || {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
    merge = true;
  } else {
    result = { error: 'access_denied', error_description: `prompt ${prompt.name} is not handled` };
  }
  const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
  ctx.status = 303;
  ctx.redirect(to);
});

provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error:', err));

server.on('request', provider.callback());
console.log(JSON.stringify({
  issuer,
  introspection_endpoint: `${issuer}/token/introspection`,
  introspection_client_id: homeserver.id,
  introspection_client_secret: homeserver.secret,
}));

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
