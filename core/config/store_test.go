package config

import "testing"

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
