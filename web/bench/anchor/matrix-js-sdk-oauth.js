// Anchor: the OAuth pieces of matrix-js-sdk 43 by deep import (the package
// has no "exports" map): its oauth module (OAuth2, isValidAuthMetadata) and
// its autodiscovery, without MatrixClient.
export { OAuth2, isValidAuthMetadata } from "matrix-js-sdk/lib/oauth/index.js";
export { AutoDiscovery } from "matrix-js-sdk/lib/autodiscovery.js";
