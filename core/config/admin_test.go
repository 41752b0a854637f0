package config

import "testing"

func TestAdminListenRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "off by default", yaml: "issuer: https://auth.example.com\n"},
		{name: "loopback v4", yaml: "admin_listen: 127.0.0.1:9090\n"},
		{name: "loopback v6", yaml: `admin_listen: "[::1]:9090"` + "\n"},
		{name: "localhost, free port", yaml: "admin_listen: localhost:0\n"},
		{name: "every interface refused", yaml: `admin_listen: ":9090"` + "\n",
			want: []string{`admin_listen: ":9090" listens on every interface: use a loopback address such as 127.0.0.1:9090, or set admin_listen_allow_remote`}},
		{name: "public address refused", yaml: "admin_listen: 192.0.2.10:9090\n",
			want: []string{`admin_listen: "192.0.2.10:9090" is not a loopback address`}},
		{name: "unspecified address refused", yaml: "admin_listen: 0.0.0.0:9090\n",
			want: []string{`admin_listen: "0.0.0.0:9090" is not a loopback address`}},
		{name: "remote allowed, with a warning", yaml: "admin_listen: 0.0.0.0:9090\nadmin_listen_allow_remote: true\n",
			warn: []string{`admin_listen: "0.0.0.0:9090" is reachable from the network`}},
		{name: "allow_remote alone", yaml: "admin_listen_allow_remote: true\n",
			warn: []string{"admin_listen_allow_remote: has no effect"}},
		{name: "no port", yaml: "admin_listen: 127.0.0.1\n", want: []string{`admin_listen: "127.0.0.1" must be host:port`}},
	})
}

func TestAdminListenFromEnv(t *testing.T) {
	s, _, err := loadYAML(t, "issuer: https://auth.example.com\n", "ASSENTRY_ADMIN_LISTEN=127.0.0.1:9191")
	if err != nil {
		t.Fatal(err)
	}
	if s.AdminListen != "127.0.0.1:9191" {
		t.Fatalf("AdminListen = %q", s.AdminListen)
	}
	_, _, err = loadYAML(t, "issuer: https://auth.example.com\n", "ASSENTRY_ADMIN_LISTEN=10.0.0.1:9191")
	matchLines(t, "error", problemLines(t, err), []string{`admin_listen: "10.0.0.1:9191" is not a loopback address`})
	s, _, err = loadYAML(t, "issuer: https://auth.example.com\n", "ASSENTRY_ADMIN_LISTEN=10.0.0.1:9191",
		"ASSENTRY_ADMIN_LISTEN_ALLOW_REMOTE=true")
	if err != nil || s.AdminListen != "10.0.0.1:9191" {
		t.Fatalf("with the opt-in: %v %q", err, s.AdminListen)
	}
}
