package loadtest

import (
	"context"
	"net/http"
	"time"
)

// userinfo: GET the UserInfo endpoint (OpenID Connect Core §5.3) with the bearer access token (RFC 6750 §2.1)
// each worker got from its own sign-in through the code flow; the scope must include openid.
type userinfo struct {
	o *Options
	c *conn
}

func (s *userinfo) legs() []string              { return nil }
func (s *userinfo) setup(context.Context) error { return nil }
func (s *userinfo) close()                      {}

func (s *userinfo) newWorker(ctx context.Context, _ int) (worker, error) {
	_, t, err := newCodeSession(ctx, s.c, s.o)
	if err != nil {
		return nil, err
	}
	w := &userinfoWorker{c: s.c, bearer: []string{"Bearer " + t.access}}
	step := "userinfo (GET " + pathOf(s.c.ep.userinfo) + ")"
	res, err := s.c.get(ctx, s.c.ep.userinfo, w.bearer, nil)
	if err != nil {
		return nil, atStep(step, err)
	}
	b, err := readBody(res, nil)
	if err != nil {
		return nil, atStep(step, err)
	}
	if res.StatusCode != http.StatusOK {
		msg := describe(res.StatusCode, b)
		if ch := res.Header.Get("WWW-Authenticate"); ch != "" {
			msg += " (" + ch + ")"
		}
		return nil, stepErr(step, "%s; the scope must include openid", msg)
	}
	return w, nil
}

type userinfoWorker struct {
	c      *conn
	bearer []string
	buf    []byte
}

func (w *userinfoWorker) iterate(ctx context.Context, _ []time.Duration) (string, bool) {
	res, err := w.c.get(ctx, w.c.ep.userinfo, w.bearer, nil)
	return okOrKind(res, err, &w.buf), false
}
