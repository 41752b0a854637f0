package main

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// crashBrowser is alice's browser, signed in with her consent for the client given once, so that each
// authorization is one silent redirect with a code. Its cookies outlive the server's restarts (the session is
// in the store).
type crashBrowser struct {
	c            *http.Client
	authorizeURL string
}

var (
	formAction  = regexp.MustCompile(`<form method="post" action="([^"]+)"`)
	hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	scopeBox    = regexp.MustCompile(`name="scope" value="([^"]+)"`)
)

// newCrashBrowser signs alice in through the first authorization (login form, consent form) and checks that the
// next one is silent.
func newCrashBrowser(t *testing.T, cl crashClient) *crashBrowser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	sum := sha256.Sum256([]byte(crashVerifier))
	q := url.Values{"response_type": {"code"}, "client_id": {cl.id}, "redirect_uri": {crashRedirect},
		"scope": {"openid offline_access"}, "state": {"crash-state"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	b := &crashBrowser{
		c: &http.Client{Jar: jar, Timeout: 60 * time.Second, Transport: cl.c.Transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		authorizeURL: cl.base + "/oauth2/authorize?" + q.Encode(),
	}
	res, err := b.c.Get(b.authorizeURL)
	for step := 0; err == nil && step < 10; step++ {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		loc := res.Header.Get("Location")
		if strings.HasPrefix(loc, crashRedirect) {
			if code, _, err := b.silentCode(); err != nil || code == "" {
				t.Fatalf("the second authorization is not silent: %v", err)
			}
			return b
		}
		if res.StatusCode/100 == 3 {
			next, perr := res.Request.URL.Parse(loc)
			if perr != nil {
				t.Fatal(perr)
			}
			res, err = b.c.Get(next.String())
			continue
		}
		page := string(body)
		m := formAction.FindStringSubmatch(page)
		if res.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("sign-in: HTTP %d at %s:\n%s", res.StatusCode, res.Request.URL, page)
		}
		form := answerForm(page, "")
		action, perr := res.Request.URL.Parse(html.UnescapeString(m[1]))
		if perr != nil {
			t.Fatal(perr)
		}
		res, err = b.c.PostForm(action.String(), form)
	}
	t.Fatalf("sign-in did not end in a redirect with a code: %v", err)
	return nil
}

// silentCode is one authorization: the redirect to the client and its code.
func (b *crashBrowser) silentCode() (string, int, error) {
	res, err := b.c.Get(b.authorizeURL)
	if err != nil {
		return "", 0, err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc.String(), crashRedirect) {
		return "", res.StatusCode, fmt.Errorf("authorize: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	return loc.Query().Get("code"), res.StatusCode, nil
}

// approveDevice is the user at the verification page: the user code entered, then the consent page it leads to,
// and Allow. It returns the last status and an error when the approval did not end on the done page.
func (b *crashBrowser) approveDevice(base, userCode string) (int, error) {
	res, err := b.c.Get(base + "/device")
	if err != nil {
		return 0, err
	}
	for step := 0; step < 4; step++ {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode/100 == 3 {
			next, perr := res.Request.URL.Parse(res.Header.Get("Location"))
			if perr != nil {
				return res.StatusCode, perr
			}
			if res, err = b.c.Get(next.String()); err != nil {
				return 0, err
			}
			continue
		}
		page := string(body)
		m := formAction.FindStringSubmatch(page)
		if res.StatusCode != http.StatusOK {
			return res.StatusCode, fmt.Errorf("device approval: HTTP %d at %s", res.StatusCode, res.Request.URL.Path)
		}
		if m == nil {
			return res.StatusCode, nil // the done page: no form left
		}
		form := answerForm(page, userCode)
		action, perr := res.Request.URL.Parse(html.UnescapeString(m[1]))
		if perr != nil {
			return res.StatusCode, perr
		}
		if res, err = b.c.PostForm(action.String(), form); err != nil {
			return 0, err
		}
	}
	res.Body.Close()
	return res.StatusCode, fmt.Errorf("device approval did not end on the done page")
}

// answerForm fills in the form of a page as alice would: the login form with her credentials, the device page's
// with userCode, the consent form granting every scope it offers; its hidden fields (CSRF, interaction) kept.
func answerForm(page, userCode string) url.Values {
	form := url.Values{}
	for _, h := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Set(h[1], html.UnescapeString(h[2]))
	}
	switch {
	case strings.Contains(page, `name="password"`):
		form.Set("username", "alice")
		form.Set("password", "crash round password")
	case strings.Contains(page, `name="user_code"`):
		form.Set("user_code", userCode)
	default:
		for _, s := range scopeBox.FindAllStringSubmatch(page, -1) {
			form.Add("scope", html.UnescapeString(s[1]))
		}
		form.Set("consent", "granted")
	}
	return form
}
