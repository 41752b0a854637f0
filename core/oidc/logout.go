package oidc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/store"
	"github.com/golang-jwt/jwt/v5"
)

// Verifier checks JWTs signed by the host's keys (core/token.Manager).
type Verifier interface {
	Parse(ctx context.Context, token string, claims jwt.Claims, opts ...jwt.ParserOption) (*jwt.Token, error)
}

// LogoutRequest holds the parameters of RP-Initiated Logout 1.0 §2.
type LogoutRequest struct {
	IDTokenHint           string
	ClientID              string
	PostLogoutRedirectURI string
	State                 string
	UILocales             string
}

// LogoutPlan is what a valid logout request leads to.
type LogoutPlan struct {
	Client   *store.Client // the relying party, when identified
	Redirect string        // where to send the browser after signing out (with state), or ""
	Subject  string        // the sub of the id_token_hint, if any
}

// LogoutError is a logout request that must not be acted on; it is shown to the user, never redirected.
type LogoutError struct{ Description string }

func (e *LogoutError) Error() string { return e.Description }

// Logout validates RP-initiated logout requests of one host.
type Logout struct {
	Issuer  string
	Clients oauth.ClientSource
	Keys    Verifier
}

// Plan validates a logout request. An id_token_hint must carry this host's signature and issuer, but may have
// expired (see parseHint). The post_logout_redirect_uri is used only when the client is identified (by client_id or the
// hint's audience) and the URI is registered for it exactly; otherwise the request fails, so logout cannot be
// turned into an open redirector.
func (l *Logout) Plan(ctx context.Context, r LogoutRequest) (*LogoutPlan, error) {
	plan := &LogoutPlan{}
	clientID := r.ClientID
	if r.IDTokenHint != "" {
		aud, sub, err := l.parseHint(ctx, r.IDTokenHint)
		if err != nil {
			return nil, &LogoutError{"The id_token_hint is not an id_token of this server."}
		}
		if clientID != "" && clientID != aud {
			return nil, &LogoutError{"The client_id does not match the id_token_hint."}
		}
		clientID, plan.Subject = aud, sub
	}
	if clientID != "" {
		c, err := l.Clients.Get(ctx, clientID)
		if errors.Is(err, oauth.ErrClientNotFound) || errors.Is(err, store.ErrNotFound) {
			return nil, &LogoutError{"The application (client_id) is not known to this server."}
		}
		if err != nil {
			return nil, err
		}
		plan.Client = c
	}
	if r.PostLogoutRedirectURI != "" {
		if plan.Client == nil {
			return nil, &LogoutError{"A post_logout_redirect_uri needs the client_id or an id_token_hint."}
		}
		if !slices.Contains(plan.Client.PostLogoutRedirectURIs, r.PostLogoutRedirectURI) {
			return nil, &LogoutError{"The post_logout_redirect_uri is not registered for this application."}
		}
		plan.Redirect = oauth.AddQuery(r.PostLogoutRedirectURI, map[string][]string{"state": {r.State}})
	}
	return plan, nil
}

// HintSubject verifies the id_token_hint of an authorization request (OIDC Core §3.1.2.1) and returns its sub;
// as at logout, an expired hint still names its user.
func (l *Logout) HintSubject(ctx context.Context, hint string) (string, error) {
	_, sub, err := l.parseHint(ctx, hint)
	return sub, err
}

// parseHint checks an id_token_hint's signature (a key of this host) and issuer, and returns its single
// audience and its subject. Its time claims are deliberately not validated: RP-Initiated Logout §2 says the OP
// SHOULD accept an expired hint. The same keys sign JWT access tokens, so a hint must also be an id_token and
// nothing else (RFC 8725 §3.11–3.12): typ "JWT", as every id_token of this server has, never "at+jwt" (RFC 9068
// §2.1), and without the client_id claim an access token carries and an id_token never does.
func (l *Logout) parseHint(ctx context.Context, hint string) (aud, sub string, err error) {
	tok, err := l.Keys.Parse(ctx, hint, jwt.MapClaims{}, jwt.WithoutClaimsValidation())
	if err != nil {
		return "", "", err
	}
	if typ, _ := tok.Header["typ"].(string); !strings.EqualFold(typ, "JWT") {
		return "", "", fmt.Errorf("id_token_hint: typ %q is not an id_token's", typ)
	}
	if _, ok := tok.Claims.(jwt.MapClaims)["client_id"]; ok {
		return "", "", errors.New("id_token_hint: an access token, not an id_token")
	}
	iss, _ := tok.Claims.GetIssuer()
	auds, _ := tok.Claims.GetAudience()
	sub, _ = tok.Claims.GetSubject()
	if iss != l.Issuer || len(auds) != 1 || sub == "" {
		return "", "", errors.New("id_token_hint: wrong issuer, audience or subject")
	}
	return auds[0], sub, nil
}
