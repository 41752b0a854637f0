package store

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// exportOf writes an export file of host "h" holding recs.
func exportOf(t *testing.T, recs ...Record) string {
	t.Helper()
	var b bytes.Buffer
	w, err := NewExportWriter(&b, ExportHeader{Host: "h", Assentry: "test", ExportedAt: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC), Source: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// readAll reads an export file whole and returns its records and the first error.
func readAll(file string) ([]Record, error) {
	r, err := NewExportReader(strings.NewReader(file))
	if err != nil {
		return nil, err
	}
	var out []Record
	for rec, err := range r.Records() {
		if err != nil {
			return out, err
		}
		out = append(out, rec)
	}
	return out, nil
}

func TestExportFileRoundTrip(t *testing.T) {
	exp := time.Date(2030, 2, 1, 0, 0, 0, 0, time.UTC)
	recs := []Record{
		{User: &User{ID: "u1", Host: "h", Username: "alice", Roles: []string{"user"}}},
		{User: &User{ID: "u2", Host: "h", Deleted: true}},
		{Key: &Key{ID: "k1", Host: "h", Use: "sig", Algorithm: "EdDSA", Private: []byte{2, 0, 255}, ExpiresAt: exp}},
		{Consent: &Consent{Host: "h", UserID: "u1", ClientID: "c1", Scopes: []string{}}},
		{Token: &Token{ID: "t1", Host: "h", Kind: RefreshToken, GrantID: "g1", UsedAt: exp}},
	}
	file := exportOf(t, recs...)
	lines := strings.Split(strings.TrimSuffix(file, "\n"), "\n")
	if len(lines) != len(recs)+2 || !strings.HasPrefix(lines[0], `{"format":"assentry-host-export","version":1,`) ||
		lines[len(lines)-1] != `{"kind":"end","records":5}` || !strings.HasPrefix(lines[3], `{"kind":"key","record":{"kid":"k1"`) {
		t.Fatalf("export file:\n%s", file)
	}
	got, err := readAll(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("read %d records, want %d", len(got), len(recs))
	}
	for i := range recs {
		if got[i].Kind() != recs[i].Kind() || got[i].ID() != recs[i].ID() || !got[i].ExpiresAt().Equal(recs[i].ExpiresAt()) {
			t.Errorf("record %d: %+v, want %+v", i, got[i], recs[i])
		}
	}
	if !bytes.Equal(got[2].Key.Private, []byte{2, 0, 255}) || !got[1].User.Deleted || got[4].Token.UsedAt.IsZero() {
		t.Errorf("records lost fields: %+v %+v %+v", got[2].Key, got[1].User, got[4].Token)
	}
}

func TestExportFileRefused(t *testing.T) {
	good := exportOf(t, Record{Client: &Client{ID: "c1", Host: "h"}}, Record{User: &User{ID: "u1", Host: "h", Username: "a"}})
	lines := strings.SplitAfter(good, "\n")
	header, client, user, trailer := lines[0], lines[1], lines[2], lines[3]
	tests := []struct {
		name string
		file string
		want string // in the error
	}{
		{"empty", "", "not an assentry host export"},
		{"another JSON file", `{"format":"something-else","version":1}` + "\n", "not an assentry host export"},
		{"not JSON", "hello\n", "not an assentry host export"},
		{"newer version", strings.Replace(header, `"version":1`, `"version":2`, 1) + trailer, "version 2"},
		{"truncated", header + client, "truncated"},
		{"truncated before the trailer", header + client + user, "truncated"},
		{"a record missing", header + client + trailer, "counts 2 records, but the file holds 1"},
		{"data after the end", good + client, "data after the last line"},
		{"unknown kind", header + `{"kind":"widget","record":{}}` + "\n" + trailer, `unknown kind of record "widget"`},
		{"unknown field", header + strings.Replace(client, `"client_id"`, `"colour":"red","client_id"`, 1) + user + trailer, "colour"},
		{"another host", header + strings.Replace(client, `"host":"h"`, `"host":"x"`, 1) + user + trailer, `of host "x", not "h"`},
		{"no id", header + strings.Replace(client, `"client_id":"c1"`, `"client_id":""`, 1) + user + trailer, "has no id"},
		{"trailer without count", header + client + user + `{"kind":"end"}` + "\n", "no count"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAll(tt.file)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
	var ve *ExportVersionError
	if _, err := NewExportReader(strings.NewReader(strings.Replace(header, `"version":1`, `"version":7`, 1))); !errors.As(err, &ve) || ve.Found != 7 {
		t.Errorf("newer version: %v, want an ExportVersionError", err)
	}
	if _, err := readAll(good); err != nil {
		t.Errorf("the good file: %v", err)
	}
}

func TestRecordCheck(t *testing.T) {
	tests := []struct {
		name string
		r    Record
		want string // "" for valid
	}{
		{"valid", Record{Session: &Session{ID: "s1", Host: "h"}}, ""},
		{"empty", Record{}, "exactly one"},
		{"two entities", Record{Session: &Session{ID: "s1", Host: "h"}, User: &User{ID: "u1", Host: "h"}}, "exactly one"},
		{"another host", Record{Grant: &Grant{ID: "g1", Host: "x"}}, `of host "x"`},
		{"consent without client", Record{Consent: &Consent{Host: "h", UserID: "u1"}}, "has no id"},
	}
	for _, tt := range tests {
		err := tt.r.Check("h")
		if (tt.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	moved := Record{Token: &Token{ID: "t1", Host: "h"}}.WithHost("h2")
	if moved.Host() != "h2" || moved.Check("h2") != nil {
		t.Errorf("WithHost: %+v", moved.Token)
	}
}
