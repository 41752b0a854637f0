package badger

import "testing"

func TestKey(t *testing.T) {
	tests := []struct {
		name  string
		host  string
		kind  string
		parts []string
		want  string
	}{
		{"record", "example", kindUser, []string{"u1"}, "h/example/user/u1"},
		{"index", "example", kindUserGrant, []string{"u1", "g1"}, "h/example/user-grant/u1/g1"},
		{"separator escaped", "a/b", kindConsent, []string{"u/1", "c%2F"}, "h/a%2Fb/consent/u%2F1/c%252F"},
	}
	for _, tt := range tests {
		if got := string(key(tt.host, tt.kind, tt.parts...)); got != tt.want {
			t.Errorf("%s: key = %q, want %q", tt.name, got, tt.want)
		}
	}
	if got, want := string(prefix("example", kindUserGrant, "u1")), "h/example/user-grant/u1/"; got != want {
		t.Errorf("prefix = %q, want %q", got, want)
	}
}
