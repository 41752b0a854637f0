package oauth

import (
	"net/url"
	"slices"
	"testing"
)

// TestParseResources: RFC 8707 §2, an absolute URI without a fragment, else invalid_target; repeats dropped.
func TestParseResources(t *testing.T) {
	tests := []struct {
		name string
		in   []string
		want []string // nil with ok: none requested
		ok   bool
	}{
		{name: "none", ok: true},
		{name: "https and urn", in: []string{"https://api.example.com/", "urn:example:ledger"},
			want: []string{"https://api.example.com/", "urn:example:ledger"}, ok: true},
		{name: "repeat dropped", in: []string{"https://a.example/", "https://a.example/"}, want: []string{"https://a.example/"}, ok: true},
		{name: "query kept", in: []string{"https://a.example/x?y=1"}, want: []string{"https://a.example/x?y=1"}, ok: true},
		{name: "relative", in: []string{"/api"}},
		{name: "no scheme", in: []string{"api.example.com"}},
		{name: "scheme only", in: []string{"https:"}},
		{name: "fragment", in: []string{"https://a.example/#f"}},
		{name: "empty fragment", in: []string{"https://a.example/#"}},
		{name: "empty", in: []string{""}},
		{name: "one bad among good", in: []string{"https://a.example/", "x"}},
		{name: "space", in: []string{"https://a.example/x y"}},
		{name: "non-ASCII", in: []string{"https://a.example/é"}},
		{name: "brace", in: []string{"https://a.example/{x}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, e := ParseResources(tt.in)
			if tt.ok != (e == nil) || (e != nil && e.Code != CodeInvalidTarget) || !slices.Equal(got, tt.want) {
				t.Fatalf("ParseResources(%q) = %q, %v; want %q (ok %v)", tt.in, got, e, tt.want, tt.ok)
			}
		})
	}
}

// TestParamsResources: resource may repeat where no other parameter may, and each value comes back exactly,
// spaces and ampersands included (a value is never split in two).
func TestParamsResources(t *testing.T) {
	values := url.Values{"resource": {"https://a.example/", "https://b.example/x y&z=1"}, "client_id": {"c"}}
	p, e := ParseParams(values)
	if e != nil {
		t.Fatal(e)
	}
	if got := p.Resources(); !slices.Equal(got, values["resource"]) {
		t.Fatalf("Resources() = %q, want %q", got, values["resource"])
	}
	if _, e := ParseParams(url.Values{"scope": {"a", "b"}}); e == nil || e.Code != CodeInvalidRequest {
		t.Fatalf("a repeated scope: %v", e)
	}
	if p, _ := ParseParams(url.Values{"client_id": {"c"}}); p.Resources() != nil {
		t.Fatalf("no resource: %q", p.Resources())
	}
	if _, e := ParseResources(p.Resources()); e == nil {
		t.Fatal("a resource with a space was accepted")
	}
}

// TestTokenResources: RFC 8707 §2.2 at the token endpoint.
func TestTokenResources(t *testing.T) {
	a, b, c := "https://a.example/", "https://b.example/", "https://c.example/"
	tests := []struct {
		name               string
		requested, granted []string
		want               []string
		ok                 bool
	}{
		{name: "neither", ok: true},
		{name: "all of the grant's", granted: []string{a, b}, want: []string{a, b}, ok: true},
		{name: "narrowed", requested: []string{b}, granted: []string{a, b}, want: []string{b}, ok: true},
		{name: "outside the grant", requested: []string{c}, granted: []string{a, b}},
		{name: "grant without resources", requested: []string{c}, want: []string{c}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, e := tokenResources(tt.requested, tt.granted)
			if tt.ok != (e == nil) || (e != nil && e.Code != CodeInvalidTarget) || !slices.Equal(got, tt.want) {
				t.Fatalf("got %q, %v; want %q (ok %v)", got, e, tt.want, tt.ok)
			}
		})
	}
}
