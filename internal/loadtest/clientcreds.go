package loadtest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// clientCredentials: POST the token endpoint with grant_type=client_credentials (RFC 6749 §4.4), the client
// authenticated with HTTP Basic. Setup makes one such request, so a wrong secret fails there.
type clientCredentials struct {
	o    *Options
	c    *conn
	body []byte
}

func (s *clientCredentials) legs() []string { return nil }
func (s *clientCredentials) close()         {}

func (s *clientCredentials) setup(ctx context.Context) error {
	s.body = clientCredentialsBody(s.o.ClientCredentialsScope)
	_, err := clientCredentialsToken(ctx, s.c, s.o.ClientID, s.o.ClientSecret, s.body)
	return err
}

func clientCredentialsBody(scope string) []byte {
	body := "grant_type=client_credentials"
	if scope != "" {
		body += "&scope=" + url.QueryEscape(scope)
	}
	return []byte(body)
}

// clientCredentialsToken gets one access token, as a setup step.
func clientCredentialsToken(ctx context.Context, c *conn, id, secret string, body []byte) (string, error) {
	step := "token request (grant_type=client_credentials, client " + id + ")"
	h := newHeaders(newClientAuth(id, secret))
	res, err := c.postForm(ctx, c.ep.token, &h, h.auth, nil, body)
	if err != nil {
		return "", atStep(step, err)
	}
	b, err := readBody(res, nil)
	if err != nil {
		return "", atStep(step, err)
	}
	if res.StatusCode != http.StatusOK {
		return "", stepErr(step, "%s", describe(res.StatusCode, b))
	}
	tok, ok := jsonString(b, keyAccessToken)
	if !ok || tok == "" {
		return "", atStep(step, errors.New("the answer has no access_token"))
	}
	return tok, nil
}

func (s *clientCredentials) newWorker(context.Context, int) (worker, error) {
	return &clientCredentialsWorker{c: s.c, h: newHeaders(newClientAuth(s.o.ClientID, s.o.ClientSecret)), body: s.body}, nil
}

type clientCredentialsWorker struct {
	c    *conn
	h    headers
	body []byte
	buf  []byte
}

func (w *clientCredentialsWorker) iterate(ctx context.Context, _ []time.Duration) (string, bool) {
	res, err := w.c.postForm(ctx, w.c.ep.token, &w.h, w.h.auth, nil, w.body)
	return okOrKind(res, err, &w.buf), false
}
