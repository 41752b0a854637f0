package dpop

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/assentry/assentry/core/ratelimit"
	"github.com/golang-jwt/jwt/v5"
)

// HeaderName is the request header carrying the proof and HeaderNonce the answer header carrying the server's
// nonce (RFC 9449 §4.1, §8.1).
const (
	HeaderName  = "DPoP"
	HeaderNonce = "DPoP-Nonce"
	// Type is the typ of a proof's JOSE header (§4.2).
	Type = "dpop+jwt"
)

// Algorithms are the proof algorithms accepted, advertised as dpop_signing_alg_values_supported (§5.1): the
// asymmetric algorithms golang-jwt verifies that have a JWK form a client can send (RFC 7518 §3.1, RFC 8037).
var Algorithms = []string{"ES256", "EdDSA", "RS256", "PS256"}

// Limits on what a proof may carry, so that a request cannot make the server parse or store much.
const (
	maxProofSize = 8 << 10
	maxJTISize   = 256
)

// DefaultWindow is how far a proof's iat may be from the server's clock, either way (Checker.Window).
const DefaultWindow = 60 * time.Second

// Checker validates the proofs of one host (RFC 9449 §4.3). Build one per host and share it between the token
// endpoint and the resources of the host: Replay and Nonces hold the host's state.
type Checker struct {
	Host string
	// Window bounds |iat - now| (§4.3 step 11; DefaultWindow when zero). It also bounds how long a jti is kept.
	Window time.Duration
	// RequireNonce makes every proof carry a current server nonce (§8: dpop_nonce: required).
	RequireNonce bool
	Nonces       *Nonces
	Replay       *Replay
	// PerAddress limits the proofs recorded per client address (nil: no limit), so that one address cannot fill
	// the replay cache of the instance (Replay.Max): every accepted proof spends a token of its address's bucket,
	// and an address with none left has its proofs refused (a *Busy, Limited) before they are looked at.
	PerAddress *ratelimit.Limiter
	Now        func() time.Time
}

// Request is what a proof is checked against: the request's method and absolute URL as the client addressed it
// (behind a reverse proxy, the issuer's external scheme and host), the values of its DPoP header fields, and at a
// resource the access token the proof must cover (ath, §4.3 step 12).
type Request struct {
	Method      string
	URL         string
	Proofs      []string
	AccessToken string
	// ClientAddr is the client's address (after trusted proxies), the key of Checker.PerAddress.
	ClientAddr string
}

// Proof is an accepted proof: the thumbprint of its key, which binds tokens (§6.1), and the nonce to announce in
// DPoP-Nonce with the answer when the proof's nonce is about to expire ("" for none, §8.2).
type Proof struct {
	JKT       string
	JTI       string
	IssuedAt  time.Time
	NextNonce string
}

// claims are a proof's payload (§4.2); jti and iat come from the registered claims.
type claims struct {
	jwt.RegisteredClaims
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	Nonce string `json:"nonce,omitempty"`
	ATH   string `json:"ath,omitempty"`
}

// header is a proof's JOSE header, read before the signature is verified with the key it carries.
type header struct {
	Typ string          `json:"typ"`
	Alg string          `json:"alg"`
	JWK json.RawMessage `json:"jwk"`
}

func (c *Checker) window() time.Duration {
	if c.Window > 0 {
		return c.Window
	}
	return DefaultWindow
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now().UTC()
	}
	return time.Now().UTC()
}

// Check validates the proof of r, in the order of RFC 9449 §4.3, and records its jti last, so that a proof
// refused for another reason takes no room in the replay cache. A refusal is an *Error; any other error is the
// server's (the store, wrapped in ErrStore).
func (c *Checker) Check(ctx context.Context, r *Request) (*Proof, error) {
	// Step 1: exactly one DPoP HTTP request header field.
	if len(r.Proofs) != 1 || r.Proofs[0] == "" {
		return nil, invalid("the request must carry exactly one DPoP header")
	}
	raw := r.Proofs[0]
	if len(raw) > maxProofSize {
		return nil, invalid("the DPoP proof is too large")
	}
	if c.PerAddress != nil {
		if wait := c.PerAddress.Wait(r.ClientAddr); wait > 0 {
			return nil, &Busy{Description: "too many DPoP proofs from this address; retry later", RetryAfter: wait,
				Limited: true}
		}
	}
	// Steps 2–7: a well-formed JWT whose header names the type, an accepted asymmetric algorithm and a public key.
	h, parts, err := parseHeader(raw)
	if err != nil {
		return nil, invalid(err.Error())
	}
	pub, jkt, err := publicKey(h.JWK)
	if err != nil {
		return nil, invalid(err.Error())
	}
	if !keyFits(h.Alg, pub) {
		return nil, invalid("the jwk does not fit the alg of the DPoP proof")
	}
	// Steps 9–12 before step 8: every check that needs no signature comes first, so that a proof that would be
	// refused anyway (another URL, an old iat) costs no signature verification. The claims are those of the
	// signed payload, so the order changes no outcome, only the price of a refusal.
	cl, err := parseClaims(parts[1])
	if err != nil {
		return nil, invalid(err.Error())
	}
	if e := c.checkClaims(cl, r); e != nil {
		return nil, e
	}
	// Step 8: the signature verifies with that key.
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || jwt.GetSigningMethod(h.Alg).Verify(parts[0]+"."+parts[1], sig, pub) != nil {
		return nil, invalid("the DPoP proof signature is invalid")
	}
	p := &Proof{JKT: jkt, JTI: cl.ID, IssuedAt: cl.IssuedAt.UTC()}
	now := c.now()
	// Step 10 (nonce) and the server's own nonce policy (§8).
	nonceOK := false
	if cl.Nonce != "" && c.Nonces != nil {
		ok, stale, err := c.Nonces.Check(ctx, cl.Nonce, now)
		if err != nil {
			return nil, err
		}
		nonceOK = ok
		if ok && stale {
			if p.NextNonce, err = c.Nonces.Current(ctx, now); err != nil {
				return nil, err
			}
		}
	}
	if c.RequireNonce && !nonceOK {
		return nil, c.askNonce(ctx, now, "the DPoP proof must carry the server's current nonce")
	}
	// §11.1: the jti is accepted once while its iat is in the window, and never without its record: a full
	// cache asks for a nonce, and then refuses the proof (a *Busy) rather than let it be replayed.
	switch err := c.Replay.Record(ctx, cl.ID, now, p.IssuedAt.Add(c.window()), nonceOK); {
	case errors.Is(err, errReplayed):
		return nil, invalid("the DPoP proof was used before")
	case errors.Is(err, errNeedNonce):
		// The cache is full: a fresh nonce instead of an eviction (§11.1), so only proofs made now count.
		return nil, c.askNonce(ctx, now, "the server remembers too many DPoP proofs now: the proof must carry its current nonce")
	case err != nil:
		return nil, err
	}
	if c.PerAddress != nil && c.PerAddress.Spend(r.ClientAddr) && c.Replay.Log != nil {
		c.Replay.Log.Warn("DPoP proofs throttled: too many from this address", "host", c.Host, "ip", r.ClientAddr)
	}
	return p, nil
}

// askNonce is use_dpop_nonce with the current nonce (§8, §9).
func (c *Checker) askNonce(ctx context.Context, now time.Time, desc string) error {
	if c.Nonces == nil {
		return invalid(desc)
	}
	n, err := c.Nonces.Current(ctx, now)
	if err != nil {
		return err
	}
	return useNonce(desc, n)
}

// checkClaims applies §4.3 steps 9–12 to the payload: jti, htm, htu, iat and ath.
func (c *Checker) checkClaims(cl *claims, r *Request) *Error {
	switch {
	case cl.ID == "" || len(cl.ID) > maxJTISize:
		return invalid("the DPoP proof needs a jti of at most 256 bytes")
	case !printableJTI(cl.ID):
		return invalid("the jti of the DPoP proof holds a control character")
	case cl.HTM == "" || cl.HTM != r.Method:
		return invalid("the htm of the DPoP proof does not match the request method")
	case cl.IssuedAt == nil:
		return invalid("the DPoP proof needs an iat")
	}
	// Step 9: htu compared without query and fragment, after normalisation (RFC 3986 §6.2.2, §6.2.3).
	want, ok1 := normalURL(r.URL)
	got, ok2 := normalURL(cl.HTU)
	if !ok1 || !ok2 || got != want {
		return invalid("the htu of the DPoP proof does not match the request URL")
	}
	// Step 11: iat within the window, either way (a client clock a little ahead is not an attack).
	if d := c.now().Sub(cl.IssuedAt.Time); d > c.window() || d < -c.window() {
		return invalid("the iat of the DPoP proof is outside the accepted window")
	}
	// Step 12: at a resource, ath is the hash of the access token presented with the proof.
	if r.AccessToken != "" {
		sum := sha256.Sum256([]byte(r.AccessToken))
		want := base64.RawURLEncoding.EncodeToString(sum[:])
		if cl.ATH == "" {
			return invalid("the DPoP proof needs ath at a protected resource")
		}
		if subtle.ConstantTimeCompare([]byte(cl.ATH), []byte(want)) != 1 {
			return invalid("the ath of the DPoP proof does not match the access token")
		}
	}
	return nil
}

// printableJTI reports whether a jti is valid UTF-8 without control characters (C0, DEL, C1). It is stored as a
// key of the replay cache: PostgreSQL refuses NUL in text, and a log line should not carry line breaks.
func printableJTI(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// parseHeader decodes and checks a proof's JOSE header (§4.3 steps 2–6): three segments, typ dpop+jwt, an
// accepted algorithm (never none, never a MAC), a jwk. It returns the header and the three segments.
func parseHeader(raw string) (*header, []string, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, nil, errors.New("the DPoP proof is not a JWS in compact form")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, nil, errors.New("the DPoP proof header is not base64url")
	}
	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, nil, errors.New("the DPoP proof header is not a JSON object")
	}
	switch {
	case !strings.EqualFold(h.Typ, Type):
		return nil, nil, errors.New("the typ of the DPoP proof is not dpop+jwt")
	case !slices.Contains(Algorithms, h.Alg):
		return nil, nil, errors.New("the alg of the DPoP proof is not supported")
	case len(h.JWK) == 0:
		return nil, nil, errors.New("the DPoP proof has no jwk header")
	}
	return &h, parts, nil
}

// parseClaims decodes a proof's payload segment, not yet verified (Check verifies the signature over these
// very bytes before it accepts anything).
func parseClaims(seg string) (*claims, error) {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return nil, errors.New("the DPoP proof payload is not base64url")
	}
	var cl claims
	if err := json.Unmarshal(b, &cl); err != nil {
		return nil, errors.New("the DPoP proof payload is not a JSON object of the claims of RFC 9449 section 4.2")
	}
	return &cl, nil
}

// keyFits reports whether a key is of the type alg needs: golang-jwt checks this too, but a clear refusal here
// is better than a signature failure.
func keyFits(alg string, pub crypto.PublicKey) bool {
	switch pub.(type) {
	case *ecdsa.PublicKey:
		return alg == "ES256"
	case ed25519.PublicKey:
		return alg == "EdDSA"
	case *rsa.PublicKey:
		return alg == "RS256" || alg == "PS256"
	}
	return false
}
