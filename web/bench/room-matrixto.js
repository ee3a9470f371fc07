// The matrix.to approach to a room preview, in plain fetch: the alias
// server's /.well-known/matrix/client, its /versions, then the stable
// room summary (MSC3266). Marks "card" when the name and count are shown.
import { mark, fail, hs } from "./marks.js";

const alias = `#public:${hs()}`;
(async () => {
  const wk = await (await fetch(`http://${hs()}/.well-known/matrix/client`)).json();
  const base = wk["m.homeserver"].base_url.replace(/\/$/, "");
  const versions = await (await fetch(`${base}/_matrix/client/versions`)).json();
  if (!versions.versions?.length) throw new Error("not a homeserver");
  const res = await fetch(`${base}/_matrix/client/v1/room_summary/${encodeURIComponent(alias)}`);
  if (!res.ok) throw new Error(`summary: HTTP ${res.status}`);
  const s = await res.json();
  document.getElementById("name").textContent = s.name || s.canonical_alias || s.room_id;
  document.getElementById("members").textContent = `${s.num_joined_members} members`;
  mark("card");
})().catch(fail);
