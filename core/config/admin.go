package config

import (
	"fmt"
	"net"
)

// resolveAdminListen checks admin_listen: off when empty (the default), else host:port on a loopback address,
// unless admin_listen_allow_remote is set. The admin API manages every user, client and key of the server, so
// reaching it from the network must be a decision written in the file, not the side effect of ":9090".
func resolveAdminListen(addr string, allowRemote bool, r *report) string {
	if addr == "" {
		if allowRemote {
			r.warnf("admin_listen_allow_remote", "", "has no effect: admin_listen is not set, so there is no admin listener")
		}
		return ""
	}
	if err := checkListen(addr); err != nil {
		r.errorf("admin_listen", "", err.Error())
		return addr
	}
	host, _, _ := net.SplitHostPort(addr)
	switch {
	case isLoopbackHost(host):
	case allowRemote:
		r.warnf("admin_listen", "", fmt.Sprintf("%q is reachable from the network: serve it only behind a TLS-terminating "+
			"proxy that restricts who may connect", addr))
	case host == "":
		r.errorf("admin_listen", "", fmt.Sprintf("%q listens on every interface: use a loopback address such as "+
			"127.0.0.1%s, or set admin_listen_allow_remote", addr, addr))
	default:
		r.errorf("admin_listen", "", fmt.Sprintf("%q is not a loopback address: use 127.0.0.1, ::1 or localhost, or set "+
			"admin_listen_allow_remote", addr))
	}
	return addr
}
