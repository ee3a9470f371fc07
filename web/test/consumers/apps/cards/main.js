// A page with room cards alone: mxauth/preview defines the room elements
// and loads only the small build.
import "mxauth/preview";
