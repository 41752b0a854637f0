package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/core/config"
)

func TestHostChanges(t *testing.T) {
	old := &config.Settings{Hosts: []config.HostSettings{{ID: "a", Issuer: "https://a"}, {ID: "b", Issuer: "https://b"},
		{ID: "c", Issuer: "https://c"}}}
	next := &config.Settings{Hosts: []config.HostSettings{{ID: "a", Issuer: "https://a"}, {ID: "c", Issuer: "https://c2"},
		{ID: "d", Issuer: "https://d"}}}
	added, removed, updated, unchanged := hostChanges(old, next)
	for _, tt := range []struct {
		name      string
		got, want []string
	}{
		{"added", added, []string{"d"}},
		{"removed", removed, []string{"b"}},
		{"updated", updated, []string{"c"}},
		{"unchanged", unchanged, []string{"a"}},
	} {
		if !slices.Equal(tt.got, tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestNeedsRestart(t *testing.T) {
	running := &config.Settings{Listen: "127.0.0.1:1", DataDir: "/d", LogLevel: "info",
		HTTP: config.HTTPSettings{IdleTimeout: time.Minute}}
	tests := []struct {
		name string
		edit func(s *config.Settings)
		want []string // key paths named, in order
	}{
		{name: "nothing", edit: func(*config.Settings) {}},
		{name: "log level applies", edit: func(s *config.Settings) { s.LogLevel = "debug" }},
		{name: "hosts apply", edit: func(s *config.Settings) { s.Hosts = []config.HostSettings{{ID: "x"}} }},
		{name: "listen", edit: func(s *config.Settings) { s.Listen = "127.0.0.1:2" }, want: []string{"listen"}},
		{name: "data_dir and a timeout", edit: func(s *config.Settings) { s.DataDir = "/e"; s.HTTP.IdleTimeout = time.Hour },
			want: []string{"data_dir", "http.idle_timeout"}},
		{name: "store", edit: func(s *config.Settings) { s.Store.MemTableSize = 64 << 20 }, want: []string{"store.memtable_mib"}},
		{name: "trusted proxies", edit: func(s *config.Settings) { s.TrustedProxies = []string{"10.0.0.1"} },
			want: []string{"trusted_proxies"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := *running
			tt.edit(&next)
			var keys []string
			for _, n := range needsRestart(running, &next) {
				keys = append(keys, strings.SplitN(n, ":", 2)[0])
			}
			if !slices.Equal(keys, tt.want) {
				t.Fatalf("needsRestart names %v, want %v", keys, tt.want)
			}
		})
	}
}
