package loadtest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// introspect: POST the introspection endpoint (RFC 7662) with one token, obtained once in setup with
// client_credentials (or given with --token), the introspecting client authenticated with HTTP Basic. A
// success is a 200 that says "active": true.
type introspect struct {
	o    *Options
	c    *conn
	body []byte
}

func (s *introspect) legs() []string { return nil }
func (s *introspect) close()         {}

func (s *introspect) setup(ctx context.Context) error {
	tok := s.o.Token
	if tok == "" {
		var err error
		if tok, err = clientCredentialsToken(ctx, s.c, s.o.ClientID, s.o.ClientSecret,
			clientCredentialsBody(s.o.ClientCredentialsScope)); err != nil {
			return err
		}
	}
	auth := newClientAuth(s.o.IntrospectClientID, s.o.IntrospectClientSecret)
	s.body = []byte(auth.form + "token=" + url.QueryEscape(tok) + "&token_type_hint=access_token")
	step := "introspection (client " + s.o.IntrospectClientID + ")"
	w := s.worker()
	res, err := s.c.postForm(ctx, s.c.ep.introspect, &w.h, w.h.auth, nil, s.body)
	if err != nil {
		return atStep(step, err)
	}
	b, err := readBody(res, nil)
	if err != nil {
		return atStep(step, err)
	}
	if res.StatusCode != http.StatusOK {
		return stepErr(step, "%s", describe(res.StatusCode, b))
	}
	if !jsonTrue(b, keyActive) {
		return atStep(step, errors.New(`the token is not "active": true (may this client introspect, and is the token live?)`))
	}
	return nil
}

func (s *introspect) worker() *introspectWorker {
	return &introspectWorker{c: s.c, h: newHeaders(newClientAuth(s.o.IntrospectClientID, s.o.IntrospectClientSecret)),
		body: s.body}
}

func (s *introspect) newWorker(context.Context, int) (worker, error) { return s.worker(), nil }

type introspectWorker struct {
	c    *conn
	h    headers
	body []byte
	buf  []byte
}

func (w *introspectWorker) iterate(ctx context.Context, _ []time.Duration) (string, bool) {
	res, err := w.c.postForm(ctx, w.c.ep.introspect, &w.h, w.h.auth, nil, w.body)
	if err != nil {
		return transportKind(err), false
	}
	w.buf, err = readBody(res, w.buf)
	switch {
	case err != nil:
		return transportKind(err), false
	case res.StatusCode != http.StatusOK:
		return statusKind(res.StatusCode, w.buf), false
	case !jsonTrue(w.buf, keyActive):
		return "inactive token", false
	}
	return "", false
}
