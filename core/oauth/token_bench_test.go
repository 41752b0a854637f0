package oauth

import "testing"

// BenchmarkCodeExchange is the token endpoint's hot path for a new login: store a grant and its code (as the
// authorization endpoint does), then authenticate the client, consume the code, check PKCE and store the
// token pair, on durable Badger in a temporary directory (every write synced).
func BenchmarkCodeExchange(b *testing.B) {
	e := newTokenEnv(b)
	b.ReportAllocs()
	for b.Loop() {
		code, _ := e.newCode(codeSpec{})
		if _, err := e.exchange("web", code); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefresh is refresh-token rotation: authenticate, read the token and its grant, check the user, and
// rotate (mark used and store the new pair in one durable write).
func BenchmarkRefresh(b *testing.B) {
	e := newTokenEnv(b)
	rt := e.mustExchange("web").RefreshToken
	b.ReportAllocs()
	for b.Loop() {
		resp, err := e.refresh("web", rt)
		if err != nil {
			b.Fatal(err)
		}
		rt = resp.RefreshToken
	}
}
