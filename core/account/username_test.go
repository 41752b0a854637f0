package account

import "testing"

func TestNormalizeUsername(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		fullID bool
		want   string
		ok     bool
	}{
		{"lower case kept", "alice", false, "alice", true},
		{"case folded", "Alice", false, "alice", true},
		{"fullwidth mapped", "ａｌｉｃｅ", false, "alice", true},
		{"unicode kept", "Zoë", false, "zoë", true},
		{"empty refused", "", false, "", false},
		{"space refused", "al ice", false, "", false},
		{"at sign refused in localpart mode", "alice@example.com", false, "", false},
		{"full id stripped", "Alice@Example.COM", true, "alice", true},
		{"full id other domain refused", "alice@evil.example", true, "", false},
		{"full id without domain refused", "alice", true, "", false},
		{"control character refused", "al\x00ice", false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeUsername(tt.in, tt.fullID, "example.com")
			if (err == nil) != tt.ok || got != tt.want {
				t.Fatalf("NormalizeUsername(%q) = %q, %v; want %q, ok=%v", tt.in, got, err, tt.want, tt.ok)
			}
		})
	}
}
