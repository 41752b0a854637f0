package loadtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// codeFlow: the silent authorization-code round trip. Each worker signs in once through the server's login and
// consent forms, which leaves it a session and a remembered consent (an exact https redirect URI); then each
// iteration is GET /oauth2/authorize (303 straight to the redirect URI with a code, PKCE S256, RFC 7636) and
// the code's exchange at the token endpoint: one request in the counts, two legs in the timings.
type codeFlow struct {
	o *Options
	c *conn
}

func (s *codeFlow) legs() []string              { return []string{"authorize", "token"} }
func (s *codeFlow) setup(context.Context) error { return nil }
func (s *codeFlow) close()                      {}
func (s *codeFlow) newWorker(ctx context.Context, i int) (worker, error) {
	cs, _, err := newCodeSession(ctx, s.c, s.o)
	if err != nil {
		return nil, err
	}
	return &codeWorker{cs}, nil
}

type codeWorker struct{ s *codeSession }

func (w *codeWorker) iterate(ctx context.Context, legs []time.Duration) (string, bool) {
	t0 := time.Now()
	code, kind := w.s.authorize(ctx)
	if kind != "" {
		return kind, false
	}
	t1 := time.Now()
	legs[0] = t1.Sub(t0)
	if kind := w.s.exchange(ctx, code, false); kind != "" {
		return kind, false
	}
	legs[1] = time.Since(t1)
	return "", false
}

// codeSession is one worker's signed-in browser and what its round trips send, made once.
type codeSession struct {
	c            *conn
	b            *browser
	h            headers
	authorizeURL string
	redirectURI  string
	state        string
	exchange0    []byte // the exchange's form up to the code
	buf          []byte
}

// tokens are what a code exchange returned.
type tokens struct{ access, refresh string }

// newCodeSession signs a new browser in through the first authorization (login form, consent form), exchanges
// its code, and returns the session with the tokens of that exchange.
func newCodeSession(ctx context.Context, c *conn, o *Options) (*codeSession, tokens, error) {
	verifier, state := random(32), random(16)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{"response_type": {"code"}, "client_id": {o.ClientID}, "redirect_uri": {o.RedirectURI},
		"scope": {o.Scope}, "state": {state}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"}}
	auth := newClientAuth(o.ClientID, o.ClientSecret)
	s := &codeSession{c: c, b: newBrowser(c, o.Username, o.Password, o.RedirectURI), h: newHeaders(auth),
		authorizeURL: c.ep.authorize + "?" + q.Encode(), redirectURI: o.RedirectURI, state: state,
		exchange0: []byte(auth.form + "grant_type=authorization_code&redirect_uri=" + url.QueryEscape(o.RedirectURI) +
			"&code_verifier=" + verifier + "&code=")}

	path := "authorization request (GET " + pathOf(c.ep.authorize) + ", client " + o.ClientID + ")"
	p, err := s.b.get(ctx, s.authorizeURL, path)
	if err != nil {
		return nil, tokens{}, err
	}
	if p, err = s.b.walk(ctx, p); err != nil {
		return nil, tokens{}, err
	}
	if !p.redirect() || !strings.HasPrefix(p.location, o.RedirectURI) {
		return nil, tokens{}, stepErr(path, "the flow ended at %s with HTTP %d instead of a redirect to %s: %s",
			p.url.Path, p.status, o.RedirectURI, pageMessage(p.body))
	}
	code, err := redirectParams(p.location)
	if err != nil {
		return nil, tokens{}, atStep(path, err)
	}
	s.h.cookie = s.b.cookieHeader()
	if kind := s.exchange(ctx, code, true); kind != "" {
		if d, ok := jsonString(s.buf, keyErrorDescription); ok && statusOf(kind) > 0 {
			kind += ": " + d
		}
		return nil, tokens{}, stepErr("code exchange (POST "+pathOf(c.ep.token)+", client "+o.ClientID+")", "%s", kind)
	}
	var t tokens
	t.access, _ = jsonString(s.buf, keyAccessToken)
	t.refresh, _ = jsonString(s.buf, keyRefreshToken)
	if t.access == "" {
		return nil, tokens{}, stepErr("code exchange", "the answer has no access_token")
	}
	// The next authorization must be silent, or the scenario would measure something else.
	if _, kind := s.authorize(ctx); kind != "" {
		return nil, tokens{}, stepErr("a second authorization (silent: signed in, consent remembered)",
			"%s; a consent is remembered only for an exact https redirect URI registered for the client (and Assentry "+
				"asks a public client's offline_access every time)", kind)
	}
	return s, t, nil
}

// authorize is one silent authorization: the 303 to the redirect URI and its code.
func (s *codeSession) authorize(ctx context.Context) (code, kind string) {
	res, err := s.c.get(ctx, s.authorizeURL, nil, s.h.cookie)
	if err != nil {
		return "", "authorize " + transportKind(err)
	}
	loc := res.Header.Get("Location")
	if len(res.Header["Set-Cookie"]) > 0 {
		s.b.jar.SetCookies(s.c.base, res.Cookies())
		s.h.cookie = s.b.cookieHeader()
	}
	if err := drain(res); err != nil {
		return "", "authorize " + transportKind(err)
	}
	switch {
	case res.StatusCode < 300 || res.StatusCode >= 400:
		return "", "authorize HTTP " + strconv.Itoa(res.StatusCode)
	case !strings.HasPrefix(loc, s.redirectURI):
		if strings.Contains(loc, "login") {
			return "", "authorize: sign-in asked"
		}
		if strings.Contains(loc, "consent") {
			return "", "authorize: consent asked"
		}
		return "", "authorize: redirect elsewhere"
	}
	if e := queryValue(loc, "error"); e != "" {
		return "", "authorize error " + e
	}
	if queryValue(loc, "state") != s.state {
		return "", "authorize: state mismatch"
	}
	if code = queryValue(loc, "code"); code == "" {
		return "", "authorize: no code"
	}
	return code, ""
}

// exchange redeems a code; keep leaves the answer in s.buf.
func (s *codeSession) exchange(ctx context.Context, code string, keep bool) string {
	body := make([]byte, 0, len(s.exchange0)+len(code)+16)
	body = append(append(body, s.exchange0...), url.QueryEscape(code)...)
	res, err := s.c.postForm(ctx, s.c.ep.token, &s.h, s.h.auth, nil, body)
	if err != nil {
		return "token " + transportKind(err)
	}
	if res.StatusCode == http.StatusOK && !keep {
		if err := drain(res); err != nil {
			return "token " + transportKind(err)
		}
		return ""
	}
	s.buf, err = readBody(res, s.buf)
	if err != nil {
		return "token " + transportKind(err)
	}
	if res.StatusCode != http.StatusOK {
		return "token " + statusKind(res.StatusCode, s.buf)
	}
	return ""
}

// statusOf reads the status back out of a kind "... HTTP nnn ..." (0 if none), for a setup message.
func statusOf(kind string) int {
	i := strings.Index(kind, "HTTP ")
	if i < 0 || len(kind) < i+8 {
		return 0
	}
	n, _ := strconv.Atoi(kind[i+5 : i+8])
	return n
}

// queryValue returns a query parameter of a URL without parsing the whole URL (the hot path reads the code of
// a Location). A value with escapes is unescaped.
func queryValue(rawURL, name string) string {
	i := strings.IndexByte(rawURL, '?')
	if i < 0 {
		return ""
	}
	q := rawURL[i+1:]
	if j := strings.IndexByte(q, '#'); j >= 0 {
		q = q[:j]
	}
	for q != "" {
		var kv string
		kv, q, _ = strings.Cut(q, "&")
		k, v, _ := strings.Cut(kv, "=")
		if k != name {
			continue
		}
		if strings.ContainsAny(v, "%+") {
			if u, err := url.QueryUnescape(v); err == nil {
				return u
			}
		}
		return v
	}
	return ""
}

// random is n random bytes, base64url: PKCE verifiers (43 characters for 32 bytes, RFC 7636 §4.1) and states.
func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// pathOf is the path of an absolute URL, for messages.
func pathOf(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return u.Path
	}
	return raw
}

var errNoRefreshToken = errors.New("the code exchange returned no refresh_token: the scope must include " +
	"offline_access and the client must be registered for the refresh_token grant")
