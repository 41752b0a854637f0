package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestPasswordPolicyRules(t *testing.T) {
	list := filepath.Join(t.TempDir(), "compromised.txt")
	if err := os.WriteFile(list, []byte("hunter2hunter2hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const iss = "issuer: https://auth.example.com\n"
	runRules(t, []ruleTest{
		{name: "defaults", yaml: iss},
		{name: "15 and 64", yaml: iss + "password_policy: {min_length: 15, max_length: 64}"},
		{name: "an existing blocklist file", yaml: iss + "password_policy: {blocklist_file: " + list + "}"},
		{name: "8 warns", yaml: iss + "password_policy: {min_length: 8}",
			warn: []string{"password_policy.min_length: 8 is below 15: NIST SP 800-63B-4 §3.1.1.2"}},
		{name: "10 from the environment warns", yaml: iss, env: []string{"ASSENTRY_PASSWORD_POLICY__MIN_LENGTH=10"},
			warn: []string{"password_policy.min_length: 10 is below 15"}},
		{name: "7 is refused", yaml: iss + "password_policy: {min_length: 7}",
			want: []string{"password_policy.min_length: 7 is below 8"}},
		{name: "negative is refused", yaml: iss + "password_policy: {min_length: -1}",
			want: []string{"password_policy.min_length: -1 is below 8"}},
		{name: "max below 64", yaml: iss + "password_policy: {max_length: 63}",
			want: []string{"password_policy.max_length: 63 is below 64"}},
		{name: "max above the login's limit", yaml: iss + "password_policy: {max_length: 1025}",
			want: []string{"password_policy.max_length: 1025 is above 1024"}},
		{name: "max below min", yaml: iss + "password_policy: {min_length: 100, max_length: 80}",
			want: []string{"password_policy.max_length: 80 is below min_length 100"}},
		{name: "a missing blocklist file", yaml: iss + "password_policy: {blocklist_file: /nonexistent/list.txt}",
			want: []string{`password_policy.blocklist_file: "/nonexistent/list.txt": no such file or directory`}},
		{name: "a directory as blocklist file", yaml: iss + "password_policy: {blocklist_file: " + filepath.Dir(list) + "}",
			want: []string{"password_policy.blocklist_file: " + `"` + filepath.Dir(list) + `" is not a regular file`}},
		{name: "a typo in a key", yaml: iss + "password_policy: {min_lenght: 15}",
			want: []string{"password_policy.min_lenght"}},
	})
}

func TestPasswordPolicyInheritance(t *testing.T) {
	list := filepath.Join(t.TempDir(), "compromised.txt")
	if err := os.WriteFile(list, []byte("hunter2hunter2hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, warns, err := loadYAML(t, `
password_policy: {min_length: 20, blocklist_file: `+list+`}
hosts:
  - id: a
    issuer: https://a.example.com
  - id: b
    issuer: https://b.example.com
    password_policy: {min_length: 12, max_length: 128}
  - id: c
    issuer: https://c.example.com
`, kekEnv, "ASSENTRY_PASSWORD_POLICY__MAX_LENGTH=256")
	if err != nil {
		t.Fatal(err)
	}
	matchLines(t, "warning", warningLines(warns), []string{"hosts[1].password_policy.min_length: 12 is below 15"})
	tests := []struct {
		name      string
		got, want PasswordPolicySettings
	}{
		{"inherited, max from the environment", s.Hosts[0].Passwords, PasswordPolicySettings{MinLength: 20, MaxLength: 256, BlocklistFile: list}},
		{"own lengths, inherited file", s.Hosts[1].Passwords, PasswordPolicySettings{MinLength: 12, MaxLength: 128, BlocklistFile: list}},
		{"inherited", s.Hosts[2].Passwords, PasswordPolicySettings{MinLength: 20, MaxLength: 256, BlocklistFile: list}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %+v, want %+v", tt.got, tt.want)
			}
		})
	}
	d, _, err := loadYAML(t, "issuer: https://auth.example.com\n", kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := d.Hosts[0].Passwords, (PasswordPolicySettings{MinLength: 15, MaxLength: 1024}); got != want {
		t.Errorf("defaults: %+v, want %+v", got, want)
	}
}
