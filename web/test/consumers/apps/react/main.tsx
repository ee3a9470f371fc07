// A React 19 + TypeScript app as its developer writes it: the elements in
// JSX, typed by "mxauth/react" (no hand-written declarations), the API from
// "mxauth". tsc --strict checks it; Vite builds it.
import { useEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { load, MxAuthError } from "mxauth";
import "mxauth/react";

const root = document.getElementById("root")!;
const server = root.dataset.server ?? "matrix.org";

function App() {
  const [out, setOut] = useState("waiting");
  useEffect(() => {
    load({ timeoutMs: 10000 }).then(async (mx) => {
      const s = await mx.session();
      if (s) { setOut(`signed in as ${s.userId}`); return; }
      const info = await mx.discover(server);
      setOut(info.hints.continueWith);
    }).catch((e: unknown) => setOut(e instanceof MxAuthError ? `error ${e.code}` : `unexpected ${String(e)}`));
  }, []);
  return (
    <main>
      <h1>React consumer</h1>
      <p id="out">{out}</p>
      <mxauth-login server={server} client-name="React consumer" client-uri="https://consumer.example.org"
        onmxauth-session={(e) => setOut(`signed in as ${e.detail.userId}`)}
        onmxauth-error={(e) => console.log("mxauth-error", e.detail.code)} />
      <mxauth-session className="who" />
      <mxauth-room-card room={`#public:${new URL(server).host}`} server={server} />
    </main>
  );
}

// The types are checked, not just present.
// @ts-expect-error: room is a string attribute
void <mxauth-room-card room={42} />;
// @ts-expect-error: the detail of mxauth-session is a Session, which has no token
void <mxauth-login onmxauth-session={(e) => e.detail.accessToken} />;
const login: HTMLElement | null = document.querySelector("mxauth-login");
void login;

createRoot(root).render(<App />);
