package prosody

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	sha1Stored  = "7780ef04525262f2d5e00e0a03b0c8795bcadc26"
	sha1Server  = "21f8b2744cacd698c12f2bf745bc4ba279e4ab3e"
	sha256Key   = "4f42d9722871e5254e01e2c7f49fa5337b05fb17d15df4f3a119f4b333ffce24"
	scramFields = `["iteration_count"] = 10000; ["salt"] = "s"; `
)

func TestParseAccount(t *testing.T) {
	tests := []struct {
		name, src   string
		hash, pw    string
		disabled    bool
		wantErrPart string
	}{
		{name: "SHA-1", src: `return {` + scramFields + `["stored_key"] = "` + sha1Stored + `"; ["server_key"] = "` + sha1Server + `"; };`, hash: SHA1},
		{name: "SHA-256", src: `return {` + scramFields + `["stored_key"] = "` + sha256Key + `"; ["server_key"] = "` + sha256Key + `"; };`, hash: SHA256},
		{name: "upper-case hex", src: `return {` + scramFields + `["stored_key"] = "` + strings.ToUpper(sha1Stored) + `"; ["server_key"] = "` + sha1Server + `"; };`, hash: SHA1},
		{name: "disabled", src: `return {` + scramFields + `["stored_key"] = "` + sha1Stored + `"; ["server_key"] = "` + sha1Server + `"; ["disabled"] = true; ["disabled_meta"] = { ["reason"] = "x" }; };`, hash: SHA1, disabled: true},
		{name: "plain password", src: `return { ["password"] = "pw" }`, pw: "pw"},
		{name: "empty plain password falls back to SCRAM", src: `return {` + scramFields + `["stored_key"] = "` + sha1Stored + `"; ["server_key"] = "` + sha1Server + `"; ["password"] = ""; };`, hash: SHA1},
		{name: "no password (an account Prosody 13 created without one)", src: `return { ["created"] = 1; ["disabled"] = true; };`, wantErrPart: "no password"},
		{name: "keys of different sizes", src: `return {` + scramFields + `["stored_key"] = "` + sha1Stored + `"; ["server_key"] = "` + sha256Key + `"; };`, wantErrPart: "neither SHA-1"},
		{name: "not hex", src: `return {` + scramFields + `["stored_key"] = "zz"; ["server_key"] = "` + sha1Server + `"; };`, wantErrPart: "not hex"},
		{name: "iteration count not an integer", src: `return { ["iteration_count"] = 1.5; ["salt"] = "s"; ["stored_key"] = "` + sha1Stored + `"; ["server_key"] = "` + sha1Server + `"; };`, wantErrPart: "not a positive integer"},
		{name: "iteration count a string", src: `return { ["iteration_count"] = "4096"; ["salt"] = "s"; ["stored_key"] = "` + sha1Stored + `"; ["server_key"] = "` + sha1Server + `"; };`, wantErrPart: "must be"},
		{name: "empty salt", src: `return { ["iteration_count"] = 4096; ["salt"] = ""; ["stored_key"] = "` + sha1Stored + `"; ["server_key"] = "` + sha1Server + `"; };`, wantErrPart: "salt is empty"},
		{name: "disabled not a boolean", src: `return { ["password"] = "pw"; ["disabled"] = "yes" }`, wantErrPart: "not a boolean"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAccount("u", []byte(tt.src))
			if tt.wantErrPart != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErrPart) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErrPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Username != "u" || a.Hash != tt.hash || a.Password != tt.pw || a.Disabled != tt.disabled {
				t.Fatalf("got %+v", a)
			}
			if tt.hash != "" && (a.Iterations != 10000 || string(a.Salt) != "s" || len(a.StoredKey) == 0) {
				t.Fatalf("SCRAM fields: %+v", a)
			}
		})
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct{ name, file string }{
		{"alice", "alice"}, {"bob.smith", "bob%2esmith"}, {"xmpp.example-net", "xmpp%2eexample%2dnet"},
		{"émile", "%c3%a9mile"}, {"a b", "a%20b"},
	} {
		if got := EncodeName(tt.name); got != tt.file {
			t.Errorf("EncodeName(%q) = %q, want %q", tt.name, got, tt.file)
		}
		if got, err := DecodeName(tt.file); err != nil || got != tt.name {
			t.Errorf("DecodeName(%q) = %q, %v", tt.file, got, err)
		}
	}
	if got, _ := DecodeName("a+b%2E"); got != "a b." {
		t.Errorf("old escaping: %q", got)
	}
	for _, bad := range []string{"a%2", "a%", "a%zz"} {
		if _, err := DecodeName(bad); err == nil {
			t.Errorf("DecodeName(%q) accepted", bad)
		}
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("bob%2esmith.dat", `return { ["password"] = "pw" };`)
	write("alice.dat", `return { ["password"] = "pw" };`)
	write("broken.dat", `return {`)
	write("bad%zzname.dat", `return { ["password"] = "pw" };`)
	write("notes.txt", `not an account`)
	if err := os.Mkdir(filepath.Join(dir, "sub.dat"), 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		s := e.File + "="
		if e.Err != nil {
			s += "error"
		} else {
			s += e.Account.Username
		}
		got = append(got, s)
	}
	want := "alice.dat=alice bad%zzname.dat=error bob%2esmith.dat=bob.smith broken.dat=error"
	if strings.Join(got, " ") != want {
		t.Fatalf("got %v, want %s", got, want)
	}
	if _, err := ReadDir(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("a missing directory was read")
	}
}
