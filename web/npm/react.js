// mxauth/react: the elements for a React 19 app. The same as
// mxauth/elements (defines them in a browser, nothing on a server); its
// types (react.d.ts) add the elements to React's JSX.
export * from "./elements.js";
