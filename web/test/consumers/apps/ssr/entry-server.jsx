// A server entry as Vite SSR builds it: every entry of mxauth imported on
// the server, and the login element rendered to HTML by React.
import { renderToString } from "react-dom/server";
import { load } from "mxauth";
import { load as loadPreview } from "mxauth/preview";
import { explain } from "mxauth/elements";
import "mxauth/react";

export function render() {
  return renderToString(<mxauth-login server="matrix.org" client-name="SSR" server-locked />);
}
export { load, loadPreview, explain };
