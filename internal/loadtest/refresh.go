package loadtest

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// refresh: each worker rotates its own refresh token chain (RFC 6749 §6): every request sends the refresh token
// the previous one returned (a server that does not rotate returns none, and the same one is sent again). Its
// first token comes from its own sign-in through the code flow, or from --refresh-token-file (one per worker;
// this works against any server). A chain that breaks (invalid_grant) is started again through the code flow
// when the worker has a session; a worker whose tokens came from the file stops there.
type refresh struct {
	o *Options
	c *conn
}

func (s *refresh) legs() []string              { return nil }
func (s *refresh) setup(context.Context) error { return nil }
func (s *refresh) close()                      {}

func (s *refresh) newWorker(ctx context.Context, i int) (worker, error) {
	auth := newClientAuth(s.o.ClientID, s.o.ClientSecret)
	w := &refreshWorker{c: s.c, h: newHeaders(auth), prefix: auth.form + "grant_type=refresh_token&refresh_token="}
	if s.o.RefreshTokens != nil {
		w.rt = s.o.RefreshTokens[i]
	} else {
		cs, t, err := newCodeSession(ctx, s.c, s.o)
		if err != nil {
			return nil, err
		}
		if t.refresh == "" {
			return nil, atStep("code exchange", errNoRefreshToken)
		}
		w.session, w.rt = cs, t.refresh
	}
	// The first rotation is part of the setup: a wrong secret or a dead token fails here, not as counted errors.
	if kind, _ := w.iterate(ctx, nil); kind != "" {
		if d, ok := jsonString(w.buf, keyErrorDescription); ok && statusOf(kind) > 0 {
			kind += ": " + d
		}
		return nil, stepErr("refresh (POST "+pathOf(s.c.ep.token)+", client "+s.o.ClientID+")", "%s", kind)
	}
	return w, nil
}

type refreshWorker struct {
	c       *conn
	h       headers
	prefix  string
	rt      string
	session *codeSession // nil: tokens from the file
	buf     []byte
}

func (w *refreshWorker) iterate(ctx context.Context, _ []time.Duration) (string, bool) {
	body := make([]byte, 0, len(w.prefix)+len(w.rt)+8)
	body = append(append(body, w.prefix...), url.QueryEscape(w.rt)...)
	res, err := w.c.postForm(ctx, w.c.ep.token, &w.h, w.h.auth, nil, body)
	if err != nil {
		return transportKind(err), false
	}
	w.buf, err = readBody(res, w.buf)
	if err != nil {
		return transportKind(err), false
	}
	if res.StatusCode != http.StatusOK {
		kind := statusKind(res.StatusCode, w.buf)
		if kind == "HTTP 400 invalid_grant" {
			return kind, !w.restart(ctx)
		}
		return kind, false
	}
	if rt, ok := jsonString(w.buf, keyRefreshToken); ok && rt != "" {
		w.rt = rt
	}
	return "", false
}

// restart begins a new chain with a silent authorization and its exchange; false when it cannot.
func (w *refreshWorker) restart(ctx context.Context) bool {
	if w.session == nil {
		return false
	}
	code, kind := w.session.authorize(ctx)
	if kind != "" || w.session.exchange(ctx, code, true) != "" {
		return false
	}
	rt, ok := jsonString(w.session.buf, keyRefreshToken)
	if !ok || rt == "" {
		return false
	}
	w.rt = rt
	return true
}
