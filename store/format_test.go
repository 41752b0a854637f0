package store

import (
	"strings"
	"testing"
)

func TestCheckSteps(t *testing.T) {
	tests := []struct {
		name    string
		steps   []Step
		current int
		want    string // "" for valid
	}{
		{name: "one step", steps: []Step{{0, 1, "stamp"}}, current: 1},
		{name: "a chain", steps: []Step{{0, 1, "stamp"}, {1, 2, "split tokens"}}, current: 2},
		{name: "gap", steps: []Step{{0, 1, "stamp"}, {2, 3, "x"}}, current: 3, want: "expected 1 → 2"},
		{name: "skips a version", steps: []Step{{0, 2, "x"}}, current: 2, want: "expected 0 → 1"},
		{name: "ends short", steps: []Step{{0, 1, "stamp"}}, current: 2, want: "end at format 1"},
		{name: "no description", steps: []Step{{0, 1, ""}}, current: 1, want: "no description"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckSteps(tt.steps, tt.current)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("%v, want an error saying %q", err, tt.want)
			}
		})
	}
}

func TestFormatErrorSaysWhatToDo(t *testing.T) {
	msg := (&FormatError{Where: "the data directory /srv/data", Found: 3, Current: 2}).Error()
	for _, w := range []string{"/srv/data", "format 3", "up to 2", "newer release", "restore a backup"} {
		if !strings.Contains(msg, w) {
			t.Errorf("%q does not say %q", msg, w)
		}
	}
}
