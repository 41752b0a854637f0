package loadtest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// conn is the HTTP side shared by every worker: one tuned transport (keep-alive, an idle connection per worker,
// no proxy, no compression, loopback-only dialing), a client that never follows redirects (the flows read each
// Location themselves), and the target's endpoints.
type conn struct {
	base *url.URL
	tr   *http.Transport
	hc   *http.Client
	ep   endpoints
}

// endpoints are absolute URLs on the target.
type endpoints struct {
	token, introspect, authorize, userinfo, device string
}

// newTransport is tuned so the client is not the bottleneck: a kept-alive connection per worker, no idle
// connection limit across hosts, no gzip, no HTTP/2 (the servers measured speak HTTP/1.1 on loopback), and no
// proxy from the environment (load goes straight to loopback). ResponseHeaderTimeout bounds a request's wait
// without a per-request timer; the runner cancels what is still running once a scenario ends.
func newTransport(workers int, timeout time.Duration) *http.Transport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second, Control: loopbackOnly}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		MaxIdleConns:          0,
		MaxIdleConnsPerHost:   workers,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
		DisableCompression:    true,
		ForceAttemptHTTP2:     false,
	}
}

// noRedirects hands every 3xx to the caller.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func newConn(base *url.URL, tr *http.Transport) *conn {
	c := &conn{base: base, tr: tr, hc: &http.Client{Transport: tr, CheckRedirect: noRedirects}}
	b := base.String()
	c.ep = endpoints{token: b + "/oauth2/token", introspect: b + "/oauth2/introspect", authorize: b + "/oauth2/authorize",
		userinfo: b + "/oauth2/userinfo", device: b + "/oauth2/device"}
	return c
}

// onTarget keeps the path and query of an endpoint a document named and puts them on the target: a server behind
// loopback may advertise a public issuer, and load goes to the target only.
func (c *conn) onTarget(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return "", false
	}
	v := *c.base
	v.Path, v.RawPath, v.RawQuery = u.Path, u.RawPath, u.RawQuery
	return v.String(), true
}

// discover reads the endpoints' paths from the target's RFC 8414 metadata, or from its OpenID Connect discovery
// document; a server that has neither keeps Assentry's paths. A target that does not answer at all is an error.
func (c *conn) discover(ctx context.Context) error {
	for _, path := range []string{"/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"} {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.String()+path, nil)
		if err != nil {
			return err
		}
		res, err := c.hc.Do(req)
		if err != nil {
			return fmt.Errorf("GET %s: %w", path, err)
		}
		body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			continue
		}
		var md struct {
			Token      string `json:"token_endpoint"`
			Introspect string `json:"introspection_endpoint"`
			Authorize  string `json:"authorization_endpoint"`
			Userinfo   string `json:"userinfo_endpoint"`
			Device     string `json:"device_authorization_endpoint"`
		}
		if json.Unmarshal(body, &md) != nil {
			continue
		}
		for _, e := range []struct {
			raw string
			dst *string
		}{{md.Token, &c.ep.token}, {md.Introspect, &c.ep.introspect}, {md.Authorize, &c.ep.authorize},
			{md.Userinfo, &c.ep.userinfo}, {md.Device, &c.ep.device}} {
			if u, ok := c.onTarget(e.raw); ok {
				*e.dst = u
			}
		}
		return nil
	}
	return nil
}

// clientAuth authenticates a client at the token, introspection and device endpoints: HTTP Basic with the
// form-encoded id and secret (RFC 6749 §2.3.1), or, for a public client (no secret), client_id in the form.
type clientAuth struct {
	header []string // Authorization; nil for a public client
	form   string   // "client_id=...&" for a public client, else ""
}

func newClientAuth(id, secret string) clientAuth {
	if secret == "" {
		return clientAuth{form: "client_id=" + url.QueryEscape(id) + "&"}
	}
	cred := url.QueryEscape(id) + ":" + url.QueryEscape(secret)
	return clientAuth{header: []string{"Basic " + base64.StdEncoding.EncodeToString([]byte(cred))}}
}

// headers are one worker's request header values, made once: a request takes them without allocating, and no
// two workers share a slice.
type headers struct {
	form   []string // Content-Type of a form
	auth   []string // the client's Authorization, if any
	bearer []string // Authorization: Bearer, if any
	cookie []string // the browser session's Cookie, if any
}

func newHeaders(auth clientAuth) headers {
	return headers{form: []string{"application/x-www-form-urlencoded"}, auth: auth.header}
}

// postForm sends body as a form with the given Authorization (nil: none) and Cookie (nil: none).
func (c *conn) postForm(ctx context.Context, target string, h *headers, auth, cookie []string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header["Content-Type"] = h.form
	if auth != nil {
		req.Header["Authorization"] = auth
	}
	if cookie != nil {
		req.Header["Cookie"] = cookie
	}
	return c.hc.Do(req)
}

// get sends a GET with the given Authorization and Cookie (nil: none).
func (c *conn) get(ctx context.Context, target string, auth, cookie []string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, err
	}
	if auth != nil {
		req.Header["Authorization"] = auth
	}
	if cookie != nil {
		req.Header["Cookie"] = cookie
	}
	return c.hc.Do(req)
}

// maxBody bounds what is read of an answer.
const maxBody = 1 << 20

// readBody reads res's body into buf (reused, grown as needed) and closes it.
func readBody(res *http.Response, buf []byte) ([]byte, error) {
	defer res.Body.Close()
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= maxBody {
				return buf, errors.New("answer too large")
			}
			buf = slices.Grow(buf, max(4096, cap(buf)))
		}
		n, err := res.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// drain reads and discards res's body so its connection is kept alive.
func drain(res *http.Response) error {
	_, err := io.Copy(io.Discard, io.LimitReader(res.Body, maxBody))
	res.Body.Close()
	return err
}

// okOrKind is the outcome of a request whose success is a 200 and whose body is not needed: "" for a 200 (the
// body drained, so the connection is kept), else the failure's kind (transportKind, statusKind). buf is reused
// to read a failure's body.
func okOrKind(res *http.Response, err error, buf *[]byte) string {
	if err != nil {
		return transportKind(err)
	}
	if res.StatusCode == http.StatusOK {
		if err := drain(res); err != nil {
			return transportKind(err)
		}
		return ""
	}
	*buf, _ = readBody(res, *buf)
	return statusKind(res.StatusCode, *buf)
}

// statusKind names an HTTP failure: its status and, from a JSON error body (RFC 6749 §5.2), its error code.
func statusKind(status int, body []byte) string {
	kind := "HTTP " + strconv.Itoa(status)
	if code, ok := jsonString(body, keyError); ok && code != "" && len(code) <= 64 && !strings.ContainsAny(code, "\n\r") {
		kind += " " + code
	}
	return kind
}

// describe is statusKind with the error_description, for setup errors.
func describe(status int, body []byte) string {
	kind := statusKind(status, body)
	if d, ok := jsonString(body, keyErrorDescription); ok && d != "" {
		return kind + ": " + d
	}
	return kind
}

// transportKind classes a failed request by what went wrong, for the error counts.
func transportKind(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, ErrNotLoopback):
		return "refused: not loopback"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return "connection reset"
	case errors.Is(err, syscall.EADDRNOTAVAIL):
		return "no local port left"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "connection closed"
	}
	return "transport error"
}

// JSON keys the hot paths look for without decoding the whole answer.
var (
	keyAccessToken      = []byte("access_token")
	keyRefreshToken     = []byte("refresh_token")
	keyActive           = []byte("active")
	keyError            = []byte("error")
	keyErrorDescription = []byte("error_description")
	keyDeviceCode       = []byte("device_code")
	keyUserCode         = []byte("user_code")
	keyVerificationURI  = []byte("verification_uri")
)

// jsonValue returns the raw value of a member named key in a JSON object (the first match; the answers read
// here are flat objects), or nil.
func jsonValue(b, key []byte) []byte {
	for i := 0; i < len(b); {
		j := bytes.Index(b[i:], key)
		if j < 0 {
			return nil
		}
		start, end := i+j, i+j+len(key)
		i = end
		if start == 0 || b[start-1] != '"' || end >= len(b) || b[end] != '"' {
			continue
		}
		k := skipSpace(b, end+1)
		if k >= len(b) || b[k] != ':' {
			continue // a value that happens to equal the key
		}
		return b[skipSpace(b, k+1):]
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonString returns the string member named key. A value with escapes is decoded by encoding/json.
func jsonString(b, key []byte) (string, bool) {
	v := jsonValue(b, key)
	if len(v) == 0 || v[0] != '"' {
		return "", false
	}
	escaped := false
	for i := 1; i < len(v); i++ {
		switch v[i] {
		case '\\':
			escaped = true
			i++
		case '"':
			if !escaped {
				return string(v[1:i]), true
			}
			var s string
			if json.Unmarshal(v[:i+1], &s) != nil {
				return "", false
			}
			return s, true
		}
	}
	return "", false
}

// jsonTrue reports whether the member named key is true.
func jsonTrue(b, key []byte) bool {
	v := jsonValue(b, key)
	return len(v) >= 4 && string(v[:4]) == "true"
}
