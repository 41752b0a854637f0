package oauthbearer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults of IntrospectionConfig.
const (
	DefaultCacheSize   = 10000
	DefaultCacheTTL    = time.Minute
	DefaultNegativeTTL = 5 * time.Second
)

// IntrospectionConfig configures an Introspector.
type IntrospectionConfig struct {
	// Endpoint is the authorization server's introspection endpoint (Assentry: ISSUER/oauth2/introspect;
	// Discover finds it as Metadata.IntrospectionEndpoint).
	Endpoint string
	// ClientID and ClientSecret are this server's credentials as a confidential client of the authorization
	// server, sent with HTTP Basic (RFC 6749 §2.3.1). With Assentry, the client needs the introspect permission
	// (`introspect: true`, `assentry client add --introspect`) to see tokens issued to other clients.
	ClientID, ClientSecret string
	// Issuer, when set, must equal the iss of every active answer.
	Issuer string
	// HTTPClient makes the requests; nil: a client with a 10 s timeout.
	HTTPClient *http.Client

	// CacheSize bounds the number of answers kept (0: DefaultCacheSize; negative: no cache, every
	// authentication asks the server).
	CacheSize int
	// CacheTTL is how long an active answer is kept at most (0: DefaultCacheTTL); never past the token's exp.
	// It is also how long a revoked token can still be accepted by this server: see Introspector.
	CacheTTL time.Duration
	// NegativeTTL is how long an inactive answer is kept (0: DefaultNegativeTTL), so that a client retrying a
	// dead token does not send one request per attempt to the authorization server.
	NegativeTTL time.Duration
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Introspector is a Verifier that asks the authorization server about each token (RFC 7662) and remembers the
// answers for a while.
//
// The cache trades revocation delay for load: a token revoked at the authorization server stays accepted here
// until its cached answer expires, at most CacheTTL after it was last fetched (one minute by default). Only
// authentications are affected: a session that already signed in is not ended by a revocation in either case
// (SASL authenticates once per connection). Set a shorter CacheTTL where a revocation must take effect sooner,
// or a negative CacheSize to ask every time. An inactive answer is kept only NegativeTTL (five seconds); errors
// (the server unreachable, a 5xx) are never cached.
type Introspector struct {
	cfg   IntrospectionConfig
	cache *cache // nil: no cache
}

var _ Verifier = (*Introspector)(nil)

// NewIntrospector checks cfg and applies its defaults.
func NewIntrospector(cfg IntrospectionConfig) (*Introspector, error) {
	var probs []string
	if u, err := url.Parse(cfg.Endpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		probs = append(probs, "Endpoint: must be an http(s) URL")
	}
	if cfg.ClientID == "" {
		probs = append(probs, "ClientID: required")
	}
	if cfg.ClientSecret == "" {
		probs = append(probs, "ClientSecret: required (introspection needs a confidential client, RFC 7662 §2.1)")
	}
	if cfg.CacheTTL < 0 || cfg.NegativeTTL < 0 {
		probs = append(probs, "CacheTTL, NegativeTTL: must not be negative")
	}
	if len(probs) > 0 {
		return nil, errors.New("oauthbearer: introspection: " + strings.Join(probs, "; "))
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultCacheSize
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultCacheTTL
	}
	if cfg.NegativeTTL == 0 {
		cfg.NegativeTTL = DefaultNegativeTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	in := &Introspector{cfg: cfg}
	if cfg.CacheSize > 0 {
		in.cache = newCache(cfg.CacheSize)
	}
	return in, nil
}

// Verify answers from the cache, or asks the authorization server and caches its answer.
func (in *Introspector) Verify(ctx context.Context, token string) (*Token, error) {
	now := in.cfg.Now()
	key := cacheKey(token)
	if in.cache != nil {
		if e, ok := in.cache.get(key, now); ok {
			if e.tok == nil {
				return nil, invalidToken("%s (cached)", e.reason)
			}
			return e.tok, nil
		}
	}
	tok, err := in.introspect(ctx, token, now)
	var te *TokenError
	switch {
	case in.cache == nil:
	case errors.As(err, &te):
		in.cache.put(&cacheEntry{key: key, reason: te.Reason, expires: now.Add(in.cfg.NegativeTTL)})
	case err == nil:
		expires := now.Add(in.cfg.CacheTTL)
		if !tok.Expiry.IsZero() && tok.Expiry.Before(expires) {
			expires = tok.Expiry
		}
		in.cache.put(&cacheEntry{key: key, tok: tok, expires: expires})
	}
	return tok, err
}

// introspectionAnswer is RFC 7662 §2.2, with Assentry's sub_type.
type introspectionAnswer struct {
	Active    bool     `json:"active"`
	Scope     string   `json:"scope"`
	ClientID  string   `json:"client_id"`
	Username  string   `json:"username"`
	TokenType string   `json:"token_type"`
	Exp       int64    `json:"exp"`
	Iat       int64    `json:"iat"`
	Sub       string   `json:"sub"`
	SubType   string   `json:"sub_type"`
	Aud       audience `json:"aud"`
	Iss       string   `json:"iss"`
	Jti       string   `json:"jti"`
	// Cnf is the confirmation of a token bound to a key (RFC 7800 §3.1, RFC 9449 §6.2).
	Cnf json.RawMessage `json:"cnf"`
}

// introspect asks the authorization server (RFC 7662 §2.1) and reads its answer (§2.2).
func (in *Introspector) introspect(ctx context.Context, token string, now time.Time) (*Token, error) {
	form := url.Values{"token": {token}, "token_type_hint": {"access_token"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.cfg.Endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("oauthbearer: introspection: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	// RFC 6749 §2.3.1: the id and secret are form-encoded before they go into Basic.
	req.SetBasicAuth(url.QueryEscape(in.cfg.ClientID), url.QueryEscape(in.cfg.ClientSecret))
	res, err := httpClient(in.cfg.HTTPClient).Do(req)
	if err != nil {
		return nil, fmt.Errorf("oauthbearer: introspection: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, maxDocument))
	if err != nil {
		return nil, fmt.Errorf("oauthbearer: introspection: %w", err)
	}
	if res.StatusCode != http.StatusOK {
		// Not the token's fault (401: our credentials; 429, 5xx: the server): nothing to tell the client.
		return nil, fmt.Errorf("oauthbearer: introspection: %s: %s", res.Status, strings.TrimSpace(string(body)))
	}
	var a introspectionAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("oauthbearer: introspection answer: %w", err)
	}
	switch {
	case !a.Active:
		return nil, invalidToken("inactive at the authorization server")
	case !strings.EqualFold(a.TokenType, "Bearer"):
		// Assentry reports token_type Bearer for access tokens only; a refresh token has none (RFC 7662 §2.2),
		// and a DPoP-bound access token is token_type DPoP (RFC 9449 §6.2), refused as below.
		return nil, invalidToken("token_type %q is not Bearer: not an access token usable here", a.TokenType)
	case len(a.Cnf) > 0 && string(a.Cnf) != "null":
		// RFC 9449 §7: a token bound to a key is good only with a proof by it, which SASL OAUTHBEARER (RFC 7628)
		// cannot carry; whatever its token_type says, accepting it would make it a Bearer token again.
		return nil, invalidToken("the token is bound to a key (cnf), which OAUTHBEARER cannot prove")
	case a.Exp != 0 && !now.Before(time.Unix(a.Exp, 0)):
		return nil, invalidToken("expired")
	case in.cfg.Issuer != "" && a.Iss != in.cfg.Issuer:
		return nil, invalidToken("issuer %q is not %q", a.Iss, in.cfg.Issuer)
	case a.Sub == "":
		return nil, invalidToken("the answer has no sub")
	}
	t := &Token{Subject: a.Sub, Username: a.Username, ForClient: a.SubType == "client", ClientID: a.ClientID,
		Scopes: strings.Fields(a.Scope), Audience: a.Aud, Issuer: a.Iss, ID: a.Jti}
	if a.Iat != 0 {
		t.IssuedAt = time.Unix(a.Iat, 0)
	}
	if a.Exp != 0 {
		t.Expiry = time.Unix(a.Exp, 0)
	}
	return t, nil
}

// audience is an aud member: one string or an array of strings (RFC 7662 §2.2, RFC 7519 §4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("aud is neither a string nor an array of strings")
	}
	*a = many
	return nil
}
