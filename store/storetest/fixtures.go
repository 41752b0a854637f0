package storetest

import (
	"time"

	"github.com/assentry/assentry/store"
)

// Lifetimes of the fixtures, as the server would give them.
const (
	codeTTL    = time.Minute
	accessTTL  = time.Hour
	refreshTTL = 7 * 24 * time.Hour
	sessionTTL = 24 * time.Hour
)

// newUser is a live user with a password and a profile.
func newUser(host, id, username string) *store.User {
	return &store.User{
		ID: id, Host: host, Username: username, PasswordHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		Roles: []string{"user"}, Name: "Name of " + username, Email: username + "@example.org", Locale: "en",
		CreatedAt: t0, UpdatedAt: t0,
	}
}

// newSession is a login session of userID that lasts ttl from now.
func (e *env) newSession(host, id, userID string, ttl time.Duration) *store.Session {
	return &store.Session{
		ID: id, Host: host, UserID: userID, AuthTime: e.now(), AMR: []string{"pwd"},
		CreatedAt: e.now(), ExpiresAt: e.now().Add(ttl),
	}
}

// newClient is a confidential client with a redirect URI under its own host name.
func newClient(host, id string) *store.Client {
	return &store.Client{
		ID: id, Host: host, SecretHash: "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
		Name: "Client " + id, ClientURI: "https://" + id + ".example.org", RedirectURIs: []string{"https://" + id + ".example.org/cb"},
		GrantTypes: []string{"authorization_code", "refresh_token"}, Scopes: []string{"openid", "offline_access"},
		TokenEndpointAuthMethod: "client_secret_basic", CreatedAt: t0, UpdatedAt: t0,
	}
}

// newConsent is a consent of userID for clientID; ttl 0 means it never expires.
func (e *env) newConsent(host, userID, clientID string, ttl time.Duration) *store.Consent {
	c := &store.Consent{
		Host: host, UserID: userID, ClientID: clientID, Scopes: []string{"openid", "profile"},
		CreatedAt: e.now(), UpdatedAt: e.now(),
	}
	if ttl > 0 {
		c.ExpiresAt = e.now().Add(ttl)
	}
	return c
}

// newGrant is a grant as a code exchange creates it: it expires with the code until tokens extend it.
func (e *env) newGrant(host, id, userID, clientID string) *store.Grant {
	return &store.Grant{
		ID: id, Host: host, UserID: userID, ClientID: clientID, Scopes: []string{"openid", "offline_access"},
		AuthTime: e.now(), CreatedAt: e.now(), ExpiresAt: e.now().Add(codeTTL),
	}
}

// newToken is a token of grant g issued now, with the lifetime of its kind.
func (e *env) newToken(g *store.Grant, id string, kind store.TokenKind) *store.Token {
	ttl := accessTTL
	if kind == store.RefreshToken {
		ttl = refreshTTL
	}
	return &store.Token{
		ID: id, Host: g.Host, Kind: kind, GrantID: g.ID, ClientID: g.ClientID, UserID: g.UserID,
		Scopes: g.Scopes, IssuedAt: e.now(), ExpiresAt: e.now().Add(ttl),
	}
}

// newCode is a PKCE authorization code of grantID that expires after codeTTL.
func (e *env) newCode(host, id, grantID string) *store.Code {
	return &store.Code{
		ID: id, Host: host, GrantID: grantID, ClientID: "c1", UserID: "u1", RedirectURI: "https://c1.example.org/cb",
		RedirectURIGiven: true, Scopes: []string{"openid"}, CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256", Nonce: "n-0S6_WzA2Mj", AuthTime: e.now(), SessionID: "s1",
		IssuedAt: e.now(), ExpiresAt: e.now().Add(codeTTL),
	}
}

// newDeviceCode is a pending device authorization that expires in ten minutes.
func (e *env) newDeviceCode(host, id, userCode string) *store.DeviceCode {
	return &store.DeviceCode{
		ID: id, Host: host, UserCode: userCode, ClientID: "c1", Scopes: []string{"openid"}, Status: "pending",
		Interval: 5, IssuedAt: e.now(), ExpiresAt: e.now().Add(10 * time.Minute),
	}
}

// newKey is a key of one use created (and usable) at created, without expiry.
func newKey(host, id, use string, created time.Time) *store.Key {
	return &store.Key{
		ID: id, Host: host, Use: use, Algorithm: "RS256", Private: []byte("encrypted " + id),
		Public: []byte("public " + id), CreatedAt: created, NotBefore: created,
	}
}

// chain is a grant with the access and refresh token of its code exchange.
type chain struct {
	grant           *store.Grant
	access, refresh *store.Token
}

// newChain creates a grant of user and client with its first access and refresh token ("<id>-at", "<id>-rt").
func (e *env) newChain(host, id, userID, clientID string) chain {
	e.t.Helper()
	c := chain{grant: e.newGrant(host, id, userID, clientID)}
	e.must(e.s.Grants().Create(e.ctx, c.grant))
	c.access = e.newToken(c.grant, id+"-at", store.AccessToken)
	c.refresh = e.newToken(c.grant, id+"-rt", store.RefreshToken)
	e.must(e.s.Tokens().Put(e.ctx, c.access, c.refresh))
	return c
}

// tokenErr is the error Tokens.Get gives for id.
func (e *env) tokenErr(host, id string) error {
	_, err := e.s.Tokens().Get(e.ctx, host, id)
	return err
}
