// The anchor page of matrix-js-sdk-oauth (bundle built by run.mjs from anchor/matrix-js-sdk-oauth.js).
import "./marks.js";
import * as lib from "/lib/matrix-js-sdk-oauth.js";
import { page } from "./anchor-flow.js";

page("matrix-js-sdk-oauth", lib);
