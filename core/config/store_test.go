package config

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestStoreSizes(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "defaults", yaml: "{}\n"},
		{name: "sizes", yaml: "store: {memtable_mib: 8, block_cache_mib: 64, index_cache_mib: 4}\n"},
		{name: "negative", yaml: "store: {memtable_mib: -1}\n", want: []string{"store.memtable_mib: must be between 1 and 1024 MiB"}},
		{name: "too large", yaml: "store: {block_cache_mib: 100000}\n", want: []string{"store.block_cache_mib: must be between 1 and 16384 MiB"}},
	})
	s, _, err := loadYAML(t, "store: {memtable_mib: 8}\n", "ASSENTRY_STORE__BLOCK_CACHE_MIB=64")
	if err != nil {
		t.Fatal(err)
	}
	if s.Store.MemTableSize != 8<<20 || s.Store.BlockCacheSize != 64<<20 || s.Store.IndexCacheSize != 0 {
		t.Fatalf("store settings %+v", s.Store)
	}
}

func TestAutoMigrate(t *testing.T) {
	tests := []struct {
		name, yaml string
		env        []string
		want       bool
	}{
		{name: "default off", yaml: "{}\n"},
		{name: "file", yaml: "auto_migrate: true\n", want: true},
		{name: "environment", yaml: "{}\n", env: []string{"ASSENTRY_AUTO_MIGRATE=true"}, want: true},
		{name: "environment wins", yaml: "auto_migrate: true\n", env: []string{"ASSENTRY_AUTO_MIGRATE=false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _, err := loadYAML(t, tt.yaml, tt.env...)
			if err != nil {
				t.Fatal(err)
			}
			if s.AutoMigrate != tt.want {
				t.Fatalf("AutoMigrate = %v, want %v", s.AutoMigrate, tt.want)
			}
		})
	}
}

func TestStoreBackend(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "badger by default", yaml: "store: {memtable_mib: 8}\n"},
		{name: "postgres", yaml: "store: {backend: postgres, dsn: 'postgres://db/assentry', max_conns: 20}\n"},
		{name: "unknown backend", yaml: "store: {backend: mysql}\n", want: []string{`store.backend: "mysql" must be badger or postgres`}},
		{name: "postgres without dsn", yaml: "store: {backend: postgres}\n", want: []string{"store.dsn: is required with backend postgres"}},
		{name: "dsn under badger", yaml: "store: {dsn: 'postgres://db/assentry'}\n", want: []string{"store.dsn: is for backend postgres"}},
		{name: "badger sizes under postgres", yaml: "store: {backend: postgres, dsn: x, memtable_mib: 8}\n",
			want: []string{"store.memtable_mib: is for backend badger"}},
		{name: "connect timeout", yaml: "store: {backend: postgres, dsn: x, connect_timeout: 2s}\n"},
		{name: "connect timeout too short", yaml: "store: {backend: postgres, dsn: x, connect_timeout: 10ms}\n",
			want: []string{"store.connect_timeout: must be between 100ms and 1m0s, got 10ms"}},
		{name: "connect timeout under badger", yaml: "store: {connect_timeout: 2s}\n",
			want: []string{"store.connect_timeout: is for backend postgres"}},
		{name: "too many conns", yaml: "store: {backend: postgres, dsn: x, max_conns: 5000}\n",
			want: []string{"store.max_conns: must be between 1 and 1000"}},
	})
	s, _, err := loadYAML(t, "store: {backend: postgres}\n", "ASSENTRY_STORE__DSN=postgres://u:pw@db/assentry",
		"ASSENTRY_STORE__MAX_CONNS=12")
	if err != nil {
		t.Fatal(err)
	}
	if s.Store.Backend != StorePostgres || s.Store.DSN != "postgres://u:pw@db/assentry" || s.Store.MaxConns != 12 ||
		s.Store.ConnectTimeout != DefaultStoreConnectTimeout {
		t.Fatalf("store settings %+v", s.Store)
	}
	if d, _, _ := loadYAML(t, "{}\n"); d.Store.Backend != StoreBadger {
		t.Fatalf("default backend %q, want badger", d.Store.Backend)
	}
}

func TestShowRedactsDSN(t *testing.T) {
	in := inspectYAML(t, "issuer: https://auth.example.com\nstore: {backend: postgres}\n", kekEnv,
		"ASSENTRY_STORE__DSN=postgres://u:hunter2@db/assentry")
	out, err := yaml.Marshal(Show(in.Settings, in.Sources).Tree)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "hunter2") || !strings.Contains(string(out), Redacted) {
		t.Fatalf("the DSN is shown:\n%s", out)
	}
}
