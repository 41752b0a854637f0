package config

import (
	"reflect"
	"testing"
)

func TestAuditInheritance(t *testing.T) {
	s, _, err := loadYAML(t, `
audit: {file: /var/log/assentry/audit.log, events: [login.failed, token.issued]}
hosts:
  - id: a
    issuer: https://a.example.com
  - id: b
    issuer: https://b.example.com
    audit: {file: stderr}
  - id: c
    issuer: https://c.example.com
    audit: {file: "off"}
  - id: d
    issuer: https://d.example.com
    audit: {events: [admin.action]}
`, kekEnv, "ASSENTRY_AUDIT__FILE=/srv/audit.log")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		got  AuditSettings
		want AuditSettings
	}{
		{name: "inherited, file from the environment", got: s.Hosts[0].Audit,
			want: AuditSettings{File: "/srv/audit.log", Events: []string{"login.failed", "token.issued"}}},
		{name: "own file, inherited events", got: s.Hosts[1].Audit,
			want: AuditSettings{File: "stderr", Events: []string{"login.failed", "token.issued"}}},
		{name: "turned off", got: s.Hosts[2].Audit,
			want: AuditSettings{Events: []string{"login.failed", "token.issued"}}},
		{name: "own events replace the list", got: s.Hosts[3].Audit,
			want: AuditSettings{File: "/srv/audit.log", Events: []string{"admin.action"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %+v, want %+v", tt.got, tt.want)
			}
		})
	}
}

func TestAuditOffByDefault(t *testing.T) {
	s, _, err := loadYAML(t, "issuer: https://auth.example.com\n", kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Hosts[0].Audit; !reflect.DeepEqual(got, AuditSettings{}) {
		t.Errorf("audit = %+v, want off", got)
	}
}

func TestAuditRules(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "every kind", yaml: "audit:\n  file: a.log\n  events: [login.succeeded, login.failed, login.rate_limited, " +
			"consent.given, consent.withdrawn, token.issued, token.refreshed, token.revoked, token.reuse_detected, " +
			"token.introspected, client.registered, client.revoked, policy.denied, key.rotated, admin.action]\n"},
		{name: "unknown kind", yaml: "audit: {file: a.log, events: [login.ok]}\n",
			want: []string{`audit.events[0]: "login.ok" is not an event kind`}},
		{name: "kind twice", yaml: "audit: {file: a.log, events: [token.issued, token.issued]}\n",
			want: []string{`audit.events[1]: "token.issued" is listed twice`}},
		{name: "empty list", yaml: "audit: {file: a.log, events: []}\n",
			want: []string{"audit.events: an empty list would write nothing"}},
		{name: "directory", yaml: "audit: {file: /var/log/}\n", want: []string{"audit.file: \"/var/log/\" names a directory"}},
		{name: "line break", yaml: "audit: {file: \"a\\nb\"}\n", want: []string{"audit.file: must be a path on one line"}},
		{name: "events without a file", yaml: "audit: {events: [token.issued]}\n",
			warn: []string{"audit.events: has no effect"}},
		{name: "inherited bad value reported once, at the top", yaml: `
audit: {file: x.log, events: [nope]}
hosts:
  - {id: a, issuer: https://a.example.com}
  - {id: b, issuer: https://b.example.com}
`, want: []string{`audit.events[0]: "nope" is not an event kind`}},
		{name: "unknown key", yaml: "audit: {path: a.log}\n", want: []string{"audit.path"}},
	})
}
