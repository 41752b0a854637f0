package config

import (
	"testing"
	"time"
)

// TestStoreHeartbeat: store.heartbeat defaults to 15 s, is bounded, and may come from the environment.
func TestStoreHeartbeat(t *testing.T) {
	runRules(t, []ruleTest{
		{name: "set", yaml: "store: {heartbeat: 2s}\n"},
		{name: "too short", yaml: "store: {heartbeat: 100ms}\n", want: []string{"store.heartbeat: must be between 1s and 10m0s, got 100ms"}},
		{name: "too long", yaml: "store: {heartbeat: 1h}\n", want: []string{"store.heartbeat: must be between 1s and 10m0s, got 1h0m0s"}},
	})
	for _, tt := range []struct {
		name, yaml string
		env        []string
		want       time.Duration
	}{
		{name: "default", yaml: "{}\n", want: DefaultHeartbeat},
		{name: "default with a store section", yaml: "store: {memtable_mib: 8}\n", want: DefaultHeartbeat},
		{name: "file", yaml: "store: {heartbeat: 2s}\n", want: 2 * time.Second},
		{name: "environment", yaml: "{}\n", env: []string{"ASSENTRY_STORE__HEARTBEAT=3s"}, want: 3 * time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _, err := loadYAML(t, tt.yaml, tt.env...)
			if err != nil {
				t.Fatal(err)
			}
			if s.Store.Heartbeat != tt.want {
				t.Fatalf("store.heartbeat = %s, want %s", s.Store.Heartbeat, tt.want)
			}
		})
	}
	if InstanceTTL(DefaultHeartbeat) != 45*time.Second {
		t.Fatalf("InstanceTTL(15s) = %s, want 45s", InstanceTTL(DefaultHeartbeat))
	}
}
