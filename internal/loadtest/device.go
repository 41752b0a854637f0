package loadtest

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// grantDeviceCode is the device grant's grant_type (RFC 8628 §3.4).
const grantDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// device: the device authorization grant (RFC 8628) end to end. Each iteration is a device's request at the
// device authorization endpoint (§3.1), a scripted user who enters the user code at the verification page with
// the worker's signed-in browser and approves it on the consent page (§3.3), and one poll of the token endpoint,
// which redeems the approved code (§3.4). One flow is one request in the counts; the legs time the device
// authorization, the user's approval (the code form, the consent page and its form) and the redemption. Each
// worker signs in during its first flow, in setup.
type device struct {
	o *Options
	c *conn
}

func (s *device) legs() []string              { return []string{"device_authorization", "approval", "redemption"} }
func (s *device) setup(context.Context) error { return nil }
func (s *device) close()                      {}

type deviceWorker struct {
	c          *conn
	b          *browser
	h          headers
	authBody   []byte // the device authorization request's form
	redeem0    string // the redemption's form up to the device code
	verifyURL  string // where the code form posts
	verifyForm string // its hidden fields, encoded, then "&user_code="
	buf        []byte
}

func (s *device) newWorker(ctx context.Context, _ int) (worker, error) {
	auth := newClientAuth(s.o.ClientID, s.o.ClientSecret)
	w := &deviceWorker{c: s.c, b: newBrowser(s.c, s.o.Username, s.o.Password, s.o.RedirectURI), h: newHeaders(auth),
		authBody: []byte(auth.form + "scope=" + url.QueryEscape(s.o.Scope)),
		redeem0:  auth.form + "grant_type=" + url.QueryEscape(grantDeviceCode) + "&device_code="}

	step := "device authorization (POST " + pathOf(s.c.ep.device) + ", client " + s.o.ClientID + ")"
	dc, uc, verify, kind := w.authorize(ctx)
	if kind != "" {
		if d, ok := jsonString(w.buf, keyErrorDescription); ok && statusOf(kind) > 0 {
			kind += ": " + d
		}
		return nil, stepErr(step, "%s", kind)
	}
	verifyPage, ok := s.c.onTarget(verify)
	if !ok {
		return nil, stepErr(step, "the answer has no usable verification_uri (%q)", verify)
	}
	step = "the code entry page (GET " + pathOf(verifyPage) + ")"
	p, err := w.b.get(ctx, verifyPage, step)
	if err != nil {
		return nil, err
	}
	f := findForms(p.body).device
	if p.status != http.StatusOK || f == nil {
		return nil, stepErr(step, "HTTP %d, no form with a user_code field: %s", p.status, pageMessage(p.body))
	}
	action, err := p.url.Parse(f.action)
	if err != nil {
		return nil, stepErr(step, "form action %q: %v", f.action, err)
	}
	w.verifyURL = action.String()
	w.verifyForm = f.hidden.Encode() + "&user_code="
	form := f.values()
	form.Set("user_code", uc)
	step = "entering the user code (POST " + action.Path + ")"
	if p, err = w.b.post(ctx, w.verifyURL, form, step); err != nil {
		return nil, err
	}
	if p.status >= 400 {
		return nil, stepErr(step, "HTTP %d: %s", p.status, pageMessage(p.body))
	}
	if p, err = w.b.walk(ctx, p); err != nil {
		return nil, err
	}
	if fs := findForms(p.body); p.status != http.StatusOK || fs.login != nil || fs.consent != nil || fs.device != nil {
		return nil, stepErr("approving the device", "the flow ended at %s with HTTP %d: %s", p.url.Path, p.status,
			pageMessage(p.body))
	}
	w.h.cookie = w.b.cookieHeader()
	if kind := w.redeem(ctx, dc); kind != "" {
		if d, ok := jsonString(w.buf, keyErrorDescription); ok && statusOf(kind) > 0 {
			kind += ": " + d
		}
		return nil, stepErr("redeeming the approved device code (POST "+pathOf(s.c.ep.token)+")", "%s", kind)
	}
	// The next flow must not ask the user to sign in again.
	if kind, _ := w.iterate(ctx, make([]time.Duration, 3)); kind != "" {
		return nil, stepErr("a second device flow with the signed-in browser", "%s", kind)
	}
	return w, nil
}

func (w *deviceWorker) iterate(ctx context.Context, legs []time.Duration) (string, bool) {
	t0 := time.Now()
	dc, uc, _, kind := w.authorize(ctx)
	if kind != "" {
		return kind, false
	}
	t1 := time.Now()
	legs[0] = t1.Sub(t0)
	if kind := w.approve(ctx, uc); kind != "" {
		return kind, false
	}
	t2 := time.Now()
	legs[1] = t2.Sub(t1)
	if kind := w.redeem(ctx, dc); kind != "" {
		return kind, false
	}
	legs[2] = time.Since(t2)
	return "", false
}

// authorize is the device's request: its device code, user code and verification URI.
func (w *deviceWorker) authorize(ctx context.Context) (dc, uc, verify, kind string) {
	res, err := w.c.postForm(ctx, w.c.ep.device, &w.h, w.h.auth, nil, w.authBody)
	if err != nil {
		return "", "", "", "device_authorization " + transportKind(err)
	}
	if w.buf, err = readBody(res, w.buf); err != nil {
		return "", "", "", "device_authorization " + transportKind(err)
	}
	if res.StatusCode != http.StatusOK {
		return "", "", "", "device_authorization " + statusKind(res.StatusCode, w.buf)
	}
	dc, _ = jsonString(w.buf, keyDeviceCode)
	uc, _ = jsonString(w.buf, keyUserCode)
	verify, _ = jsonString(w.buf, keyVerificationURI)
	if dc == "" || uc == "" {
		return "", "", "", "device_authorization: no device_code or user_code"
	}
	return dc, uc, verify, ""
}

// approve is the user: the code form, then the consent page it leads to, and Allow.
func (w *deviceWorker) approve(ctx context.Context, userCode string) string {
	body := []byte(w.verifyForm + url.QueryEscape(userCode))
	res, err := w.c.postForm(ctx, w.verifyURL, &w.h, nil, w.h.cookie, body)
	if err != nil {
		return "user code " + transportKind(err)
	}
	loc := res.Header.Get("Location")
	if err := drain(res); err != nil {
		return "user code " + transportKind(err)
	}
	switch {
	case res.StatusCode != http.StatusSeeOther && res.StatusCode != http.StatusFound:
		return "user code HTTP " + strconv.Itoa(res.StatusCode)
	case strings.Contains(loc, "login"):
		return "user code: sign-in asked"
	}
	consentURL := loc
	if strings.HasPrefix(loc, "/") {
		consentURL = w.c.base.Scheme + "://" + w.c.base.Host + loc
	}
	res, err = w.c.get(ctx, consentURL, nil, w.h.cookie)
	if err != nil {
		return "consent page " + transportKind(err)
	}
	if w.buf, err = readBody(res, w.buf); err != nil {
		return "consent page " + transportKind(err)
	}
	if res.StatusCode != http.StatusOK {
		return "consent page HTTP " + strconv.Itoa(res.StatusCode)
	}
	f := findForms(string(w.buf)).consent
	if f == nil {
		return "consent page: no consent form"
	}
	form := f.values()
	form.Set("consent", "granted")
	action := f.action
	if strings.HasPrefix(action, "/") {
		action = w.c.base.Scheme + "://" + w.c.base.Host + action
	}
	res, err = w.c.postForm(ctx, action, &w.h, nil, w.h.cookie, []byte(form.Encode()))
	if err != nil {
		return "consent " + transportKind(err)
	}
	if err := drain(res); err != nil {
		return "consent " + transportKind(err)
	}
	if res.StatusCode != http.StatusOK {
		return "consent HTTP " + strconv.Itoa(res.StatusCode)
	}
	return ""
}

// redeem is the device's poll once the user approved: the tokens.
func (w *deviceWorker) redeem(ctx context.Context, deviceCode string) string {
	res, err := w.c.postForm(ctx, w.c.ep.token, &w.h, w.h.auth, nil, []byte(w.redeem0+url.QueryEscape(deviceCode)))
	if err != nil {
		return "redemption " + transportKind(err)
	}
	if res.StatusCode == http.StatusOK {
		if err := drain(res); err != nil {
			return "redemption " + transportKind(err)
		}
		return ""
	}
	w.buf, _ = readBody(res, w.buf)
	return "redemption " + statusKind(res.StatusCode, w.buf)
}
