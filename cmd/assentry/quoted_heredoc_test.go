package main

import "testing"

// TestLogicalCommandsHereDoc: a here-document's lines belong to the command that starts it, through its
// terminator; a here-string (<<<) is not one.
func TestLogicalCommandsHereDoc(t *testing.T) {
	lines := []string{
		"cat > rule.lua <<'EOF'",
		"return {abi = 1} # not a comment",
		"",
		"EOF",
		"assentry policy check rule.lua",
		"assentry user add alice --password-stdin <<<'correct horse battery'",
		"assentry user list",
	}
	got := logicalCommands("doc.md", "env", 10, lines)
	want := []string{
		"cat > rule.lua <<'EOF'\nreturn {abi = 1} # not a comment\n\nEOF",
		"assentry policy check rule.lua",
		"assentry user add alice --password-stdin <<<'correct horse battery'",
		"assentry user list",
	}
	if len(got) != len(want) {
		t.Fatalf("%d commands, want %d: %q", len(got), len(want), got)
	}
	for i, c := range got {
		if c.text != want[i] {
			t.Errorf("command %d: %q, want %q", i, c.text, want[i])
		}
	}
	if got[1].line != 14 {
		t.Errorf("the command after the here-document is on line %d, want 14", got[1].line)
	}
}
