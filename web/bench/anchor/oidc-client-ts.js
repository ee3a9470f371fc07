// Anchor: oidc-client-ts 3's UserManager (metadata, PKCE, code exchange,
// refresh). It knows no Matrix discovery: the page finds the homeserver and
// points metadataUrl at GET /_matrix/client/v1/auth_metadata.
export { UserManager } from "oidc-client-ts";
