package guest

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/assentry/assentry/policy/policytest"
)

// ParseURL gives what the Lua binding's assentry.url.parse gives, on the conformance suite's vectors.
func TestParseURL(t *testing.T) {
	for _, v := range policytest.URLVectors {
		name := v.In
		if len(name) > 40 {
			name = name[:40]
		}
		t.Run(name, func(t *testing.T) {
			u, err := ParseURL(v.In)
			if v.Err != "" {
				if err == nil || err.Error() != v.Err {
					t.Fatalf("got (%+v, %v), want the error %q", u, err, v.Err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var want URL
			var m map[string]any
			if err := json.Unmarshal([]byte(v.Parts), &m); err != nil {
				t.Fatal(err)
			}
			str := func(k string) string { s, _ := m[k].(string); return s }
			want = URL{Scheme: str("scheme"), Userinfo: str("userinfo"), Host: str("host"), Path: str("path"),
				Query: str("query"), Fragment: str("fragment")}
			if p, ok := m["port"].(float64); ok {
				want.Port = int(p)
			}
			if !reflect.DeepEqual(u, want) {
				t.Fatalf("got %+v, want %+v", u, want)
			}
		})
	}
}

// Object.Null writes a null member: how a Go guest removes a metadata member or a claim.
func TestObjectNull(t *testing.T) {
	var o Object
	o.Str("client_name", "B").Null("tos_uri")
	if got, want := string(o.Bytes()), `{"client_name":"B","tos_uri":null}`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	v, err := Parse([]byte(`{"a":null}`))
	if err != nil || v.Get("a").Kind() != KindNull || v.Get("b").Kind() != KindMissing {
		t.Fatalf("a null member is not told from a missing one: %v", err)
	}
}
