// explain's words for the metadata a login or sign-out can do without
// (issue 13): a server without registration or revocation says what the
// page or the person can do, not "tell its admins". Plain Node: explain is
// SSR-safe (ssr.test.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { explain } from "../../npm/elements.js";
import { MxAuthError } from "../../npm/index.js";

test("explain names what a missing endpoint means", () => {
  const cases = [
    [{ field: "registration_endpoint", reason: "missing" }, /only the apps its admins registered: this page needs a client id \(client-id\)/],
    [{ field: "revocation_endpoint", reason: "missing", sessionForgotten: "true" }, /cannot end a sign-in early, so it stays valid there until it expires/],
    // An endpoint that is there but wrong (the issuer binding) keeps the old words.
    [{ field: "registration_endpoint" }, /describes its sign-in service wrongly \(registration_endpoint\); tell its admins/],
    [{ field: "token_endpoint", reason: "missing" }, /describes its sign-in service wrongly \(token_endpoint\)/],
  ];
  for (const [details, want] of cases) {
    const e = new MxAuthError("metadata_invalid", "mxauth: x", { details });
    const got = explain(e, "example.org");
    assert.match(got, want, JSON.stringify(details));
    assert.match(got, /^example\.org /);
  }
});
