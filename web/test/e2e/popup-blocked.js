// login({ popup: true }) at page load, with no click: the popup blocker
// stops window.open (popup.test.mjs). The outcome goes to the console.
const { load } = await import("/npm/index.js");
const mx = await load({ storage: "memory" });
const server = new URLSearchParams(location.search).get("server");
mx.login({ server, popup: true, redirectUri: location.origin + "/npm/callback.html",
  client: { name: "Popup test", uri: "https://popup.example.org" } })
  .then(() => "resolved", (e) => [e.code, e.details?.reason]).then((r) => console.log("popup-result " + JSON.stringify(r)));
