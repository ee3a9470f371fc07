package room

import "github.com/mxauth/mxauth/auth/serverrule"

// validServerName reports whether s is a server name by the spec's grammar
// (serverrule.ParseName).
func validServerName(s string) bool {
	_, err := serverrule.ParseName(s)
	return err == nil
}
