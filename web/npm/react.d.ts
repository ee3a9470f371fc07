// Types of "mxauth/react": mxauth/elements plus the four elements in React
// 19's JSX (React.JSX.IntrinsicElements, which react/jsx-runtime extends),
// with their attributes and their events as React 19 passes them to custom
// elements: a prop "onmxauth-session" listens to the "mxauth-session" event.
// A separate entry, so that mxauth/elements needs no @types/react.
import type { DetailedHTMLProps, HTMLAttributes } from "react";
import type {
  MxAuthRoomCardElement, MxAuthRoomBadgeElement, MxAuthLoginElement, MxAuthSessionElement,
  MxAuthRoomCardAttributes, MxAuthRoomBadgeAttributes, MxAuthLoginAttributes, MxAuthSessionAttributes,
  MxAuthErrorEvent, MxAuthSessionEvent,
} from "./mxauth.js";

export * from "./elements.js";

/** The JSX props of an element: React's HTML props, its attributes, and mxauth-error. */
export type MxAuthJSXProps<E extends HTMLElement, A> = DetailedHTMLProps<HTMLAttributes<E>, E> & A & {
  "onmxauth-error"?: (event: MxAuthErrorEvent) => void;
};

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "mxauth-room-card": MxAuthJSXProps<MxAuthRoomCardElement, MxAuthRoomCardAttributes>;
      "mxauth-room-badge": MxAuthJSXProps<MxAuthRoomBadgeElement, MxAuthRoomBadgeAttributes>;
      "mxauth-login": MxAuthJSXProps<MxAuthLoginElement, MxAuthLoginAttributes & {
        "onmxauth-session"?: (event: MxAuthSessionEvent) => void;
      }>;
      "mxauth-session": MxAuthJSXProps<MxAuthSessionElement, MxAuthSessionAttributes>;
    }
  }
}
