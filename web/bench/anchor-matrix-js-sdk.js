// The anchor page of matrix-js-sdk (bundle built by run.mjs from anchor/matrix-js-sdk.js).
import "./marks.js";
import * as lib from "/lib/matrix-js-sdk.js";
import { page } from "./anchor-flow.js";

page("matrix-js-sdk", lib);
