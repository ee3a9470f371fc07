// A consumer app as a bundler user writes it: bare imports of the package.
import { load, MxAuthError } from "mxauth/preview";
import "mxauth/elements";

const out = document.getElementById("out");
const room = document.querySelector("mxauth-room-card").getAttribute("room");
load().then((api) => api.roomSummary(room)).then((s) => {
  out.textContent = `${s.name} (${s.numJoinedMembers})`;
}, (e) => {
  out.textContent = e instanceof MxAuthError ? `error ${e.code}` : `unexpected ${e}`;
});
