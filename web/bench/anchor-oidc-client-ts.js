// The anchor page of oidc-client-ts (bundle built by run.mjs from anchor/oidc-client-ts.js).
import "./marks.js";
import * as lib from "/lib/oidc-client-ts.js";
import { page } from "./anchor-flow.js";

page("oidc-client-ts", lib);
