package config

import (
	"strings"
	"testing"
)

func TestAdminSocket(t *testing.T) {
	long := "/run/" + strings.Repeat("a", MaxAdminSocketPath-len("/run/"))
	runRules(t, []ruleTest{
		{name: "unset"},
		{name: "absolute", yaml: "admin_socket: /run/assentry/admin.sock\n"},
		{name: "longest accepted", yaml: "admin_socket: " + long + "\n"},
		{name: "one byte too long", yaml: "admin_socket: " + long + "b\n",
			want: []string{"admin_socket: \"" + long + "b\" is 108 bytes long: a unix socket path holds at most 107"}},
		{name: "relative", yaml: "admin_socket: run/admin.sock\n", want: []string{"admin_socket: \"run/admin.sock\" must be an absolute path"}},
		{name: "not clean", yaml: "admin_socket: /run/assentry/../admin.sock\n",
			want: []string{`admin_socket: "/run/assentry/../admin.sock" must be a clean path`}},
		{name: "from the environment", env: []string{"ASSENTRY_ADMIN_SOCKET=admin.sock"},
			want: []string{"admin_socket: \"admin.sock\" must be an absolute path"}},
	})
}

func TestAdminSocketSettings(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		env  []string
		want string
	}{
		{name: "unset stays empty: the path is derived from data_dir", want: ""},
		{name: "from the file", yaml: "admin_socket: /run/assentry/admin.sock\n", want: "/run/assentry/admin.sock"},
		{name: "the environment wins", yaml: "admin_socket: /run/assentry/admin.sock\n",
			env: []string{"ASSENTRY_ADMIN_SOCKET=/run/other/admin.sock"}, want: "/run/other/admin.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, err := loadYAML(t, tt.yaml, append([]string{kekEnv}, tt.env...)...)
			if err != nil {
				t.Fatal(err)
			}
			eq(t, s.AdminSocket, tt.want)
		})
	}
}
