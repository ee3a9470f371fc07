// Anchor: matrix-js-sdk 43 imported from its root, as Matrix web clients
// do: AutoDiscovery for the well-known and /versions, a MatrixClient for
// GET /auth_metadata (MatrixClient.getAuthMetadata), OAuth2 for dynamic
// registration, the authorization URL, the code exchange and refresh.
export { AutoDiscovery, OAuth2, createClient } from "matrix-js-sdk";
