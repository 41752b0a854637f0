package main

import (
	"testing"

	"github.com/assentry/assentry/core/account"
)

// A reloaded host keeps its hasher while its argon2 settings stay; new settings or a new host get a new one, and
// a generation hands on only the hashers it used.
func TestHashersAcrossGenerations(t *testing.T) {
	cheap := account.Params{Memory: 64, Iterations: 1, Parallelism: 1}
	other := account.Params{Memory: 128, Iterations: 1, Parallelism: 1}
	first := newHashers(nil)
	a, err := first.get("a", cheap, 4)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := first.get("gone", cheap, 4); err != nil {
		t.Fatal(err)
	}
	next := newHashers(first)
	tests := []struct {
		name   string
		host   string
		params account.Params
		max    int
		same   bool // the first generation's hasher of host a
	}{
		{name: "same host, same settings", host: "a", params: cheap, max: 4, same: true},
		{name: "same host, new memory", host: "a", params: other, max: 4},
		{name: "same host, new bound", host: "a", params: cheap, max: 8},
		{name: "another host", host: "b", params: cheap, max: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := next.get(tt.host, tt.params, tt.max)
			if err != nil {
				t.Fatal(err)
			}
			if (got == a) != tt.same {
				t.Fatalf("reused = %v, want %v", got == a, tt.same)
			}
		})
	}
	if _, kept := newHashers(next).prev[hasherKey{"gone", cheap, 4}]; kept {
		t.Fatal("a hasher the last generation did not use was handed on")
	}
}
