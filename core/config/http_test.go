package config

import (
	"testing"
	"time"
)

func TestHTTPSection(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "defaults", yaml: "{}\n"},
		{name: "all set", yaml: "http: {read_header_timeout: 5s, read_body_timeout: 15s, write_timeout: 20s, idle_timeout: 1m, max_connections: 500, max_connections_per_ip: 50}\n"},
		{name: "zero timeout", yaml: "http: {read_header_timeout: 0s}\n",
			want: []string{"http.read_header_timeout: must be between 1s and 1h0m0s, got 0s"}},
		{name: "negative and huge", yaml: "http: {write_timeout: -1s, idle_timeout: 2h}\n",
			want: []string{"http.write_timeout: must be between 1s", "http.idle_timeout: must be between 1s and 1h0m0s, got 2h0m0s"}},
		{name: "sub-second", yaml: "http: {read_body_timeout: 500ms}\n", want: []string{"http.read_body_timeout: must be between 1s"}},
		{name: "negative caps", yaml: "http: {max_connections: -1, max_connections_per_ip: -2}\n",
			want: []string{"http.max_connections: must be positive", "http.max_connections_per_ip: must be 0 (no cap) or positive"}},
		{name: "per ip above total", yaml: "http: {max_connections: 10, max_connections_per_ip: 11}\n",
			want: []string{"http.max_connections_per_ip: 11 is above http.max_connections (10)"}},
		{name: "typo", yaml: "http: {read_timeout: 5s}\n", want: []string{"read_timeout"}},
	})

	s, _, err := loadYAML(t, "{}\n", kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	want := HTTPSettings{ReadHeaderTimeout: 10 * time.Second, ReadBodyTimeout: 20 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxConnections: 10000}
	if s.HTTP != want {
		t.Errorf("defaults %+v, want %+v", s.HTTP, want)
	}

	s, _, err = loadYAML(t, "http: {idle_timeout: 30s}\n", kekEnv, "ASSENTRY_HTTP__MAX_CONNECTIONS=64",
		"ASSENTRY_HTTP__READ_HEADER_TIMEOUT=3s")
	if err != nil {
		t.Fatal(err)
	}
	if s.HTTP.IdleTimeout != 30*time.Second || s.HTTP.MaxConnections != 64 || s.HTTP.ReadHeaderTimeout != 3*time.Second {
		t.Errorf("file and environment: %+v", s.HTTP)
	}
}
