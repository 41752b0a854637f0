package guest

import "testing"

var benchConsent = []byte(`{"abi":1,"hook":"consent","request_id":"req-1","now":1767225600,"host":"h1","user":{"sub":"u-alice","username":"alice","roles":["user","editor"],"groups":["staff","other"],"email":"alice@example.com","email_verified":true},"client":{"client_id":"portal","client_name":"Portal","client_uri":"https://portal.example.com/"},"requested_scopes":["openid","profile"],"granted_scopes":["openid","profile"],"previously_consented":false}`)

// BenchmarkServeConsent is the SDK's share of a consent call, natively (the guest runs the same code as wasm).
func BenchmarkServeConsent(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		ServeConsent(benchConsent, func(in *ConsentInput) (*ConsentOutput, error) {
			return &ConsentOutput{Decision: Ask}, nil
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchConsent); err != nil {
			b.Fatal(err)
		}
	}
}
