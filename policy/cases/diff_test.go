package cases

import "testing"

func TestDiff(t *testing.T) {
	tests := []struct{ name, want, got, diff string }{
		{name: "equal", want: "a\nb", got: "a\nb", diff: "  a\n  b"},
		{name: "changed line", want: "{\n \"decision\": \"accept\"\n}", got: "{\n \"decision\": \"reject\"\n}",
			diff: "  {\n-  \"decision\": \"accept\"\n+  \"decision\": \"reject\"\n  }"},
		{name: "added and removed", want: "a\nb\nc", got: "a\nc\nd", diff: "  a\n- b\n  c\n+ d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Diff(tt.want, tt.got); got != tt.diff {
				t.Errorf("got\n%s\nwant\n%s", got, tt.diff)
			}
		})
	}
}
