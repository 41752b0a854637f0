package loadtest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// browser is a scripted user with a cookie jar: it reads the server's pages and submits their forms by the field
// names the theme contract keeps (themes/README.md): username, password, the hidden csrf_token and interaction,
// the scope checkboxes and the consent buttons, user_code. Used in setups (signing in, consenting) and by the
// device scenario's user, never following a redirect on its own.
type browser struct {
	c           *conn
	jar         *cookiejar.Jar
	hc          *http.Client
	username    string
	password    string
	redirectURI string
}

func newBrowser(c *conn, username, password, redirectURI string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{c: c, jar: jar, hc: &http.Client{Transport: c.tr, Jar: jar, CheckRedirect: noRedirects},
		username: username, password: password, redirectURI: redirectURI}
}

// page is one answer, its body read whole.
type page struct {
	url      *url.URL
	status   int
	location string
	body     string
}

func (p *page) redirect() bool { return p.status >= 300 && p.status < 400 && p.location != "" }

func (b *browser) do(req *http.Request, step string) (*page, error) {
	res, err := b.hc.Do(req)
	if err != nil {
		return nil, atStep(step, err)
	}
	body, err := readBody(res, nil)
	if err != nil {
		return nil, atStep(step, err)
	}
	return &page{url: req.URL, status: res.StatusCode, location: res.Header.Get("Location"), body: string(body)}, nil
}

func (b *browser) get(ctx context.Context, target, step string) (*page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, atStep(step, err)
	}
	return b.do(req, step)
}

func (b *browser) post(ctx context.Context, target string, form url.Values, step string) (*page, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, atStep(step, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req, step)
}

// cookieHeader is the jar's cookies for the target as one Cookie header value, for the hot paths, which send it
// without the jar.
func (b *browser) cookieHeader() []string {
	var parts []string
	for _, c := range b.jar.Cookies(b.c.base) {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if parts == nil {
		return nil
	}
	return []string{strings.Join(parts, "; ")}
}

// maxSteps bounds a walk through the pages.
const maxSteps = 12

// walk takes p, an answer within a browser flow, through redirects on the target, the login form (signing in
// once) and the consent form (granting the scopes offered), until the flow leaves the server (a redirect to the
// redirect URI) or reaches a page that is neither form; it returns that last answer for the caller to judge.
func (b *browser) walk(ctx context.Context, p *page) (*page, error) {
	signedIn, consented := false, false
	for range maxSteps {
		switch f := findForms(p.body); {
		case p.redirect():
			if strings.HasPrefix(p.location, b.redirectURI) {
				return p, nil
			}
			next, err := p.url.Parse(p.location)
			if err != nil {
				return nil, stepErr("following the redirect to "+p.location, "%v", err)
			}
			if next.Scheme != b.c.base.Scheme || next.Host != b.c.base.Host {
				return nil, stepErr("following the redirect to "+p.location, "it leaves the target and is not the redirect URI %s", b.redirectURI)
			}
			if p, err = b.get(ctx, next.String(), "GET "+next.Path); err != nil {
				return nil, err
			}
		case p.status == http.StatusOK && f.login != nil:
			step := "sign-in as " + b.username + " (POST " + f.login.action + ")"
			if signedIn {
				return nil, stepErr(step, "the login form came back after the password was sent: %s", pageMessage(p.body))
			}
			signedIn = true
			form := f.login.values()
			form.Set("username", b.username)
			form.Set("password", b.password)
			var err error
			if p, err = b.submit(ctx, p, f.login, form, step); err != nil {
				return nil, err
			}
		case p.status == http.StatusOK && f.consent != nil:
			step := "consent (POST " + f.consent.action + ")"
			if consented {
				return nil, stepErr(step, "the consent form came back after it was granted: %s", pageMessage(p.body))
			}
			consented = true
			form := f.consent.values()
			form.Set("consent", "granted")
			var err error
			if p, err = b.submit(ctx, p, f.consent, form, step); err != nil {
				return nil, err
			}
		default:
			return p, nil
		}
	}
	return nil, stepErr("following the flow", "more than %d pages and redirects", maxSteps)
}

// submit posts a form of page p; an answer of 400 or more is the step's failure, with the page's message.
func (b *browser) submit(ctx context.Context, p *page, f *htmlForm, form url.Values, step string) (*page, error) {
	action, err := p.url.Parse(f.action)
	if err != nil {
		return nil, stepErr(step, "form action %q: %v", f.action, err)
	}
	next, err := b.post(ctx, action.String(), form, step)
	if err != nil {
		return nil, err
	}
	if next.status >= 400 {
		return nil, stepErr(step, "HTTP %d: %s", next.status, pageMessage(next.body))
	}
	return next, nil
}

// htmlForm is what the flows need of a form: where it posts, its hidden fields, its checked boxes, the names
// of its other inputs and its buttons' name=value pairs.
type htmlForm struct {
	action  string
	hidden  url.Values
	checked url.Values
	inputs  map[string]string // name: type
	buttons map[string][]string
}

// values are the fields a browser sends without the user typing: hidden fields and checked boxes.
func (f *htmlForm) values() url.Values {
	v := url.Values{}
	for k, vs := range f.hidden {
		v[k] = append([]string(nil), vs...)
	}
	for k, vs := range f.checked {
		v[k] = append(v[k], vs...)
	}
	return v
}

// forms are the forms of a page that the flows know.
type forms struct {
	login   *htmlForm // has a password field
	consent *htmlForm // has a consent=granted button
	device  *htmlForm // has a user_code field
}

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	fieldRe = regexp.MustCompile(`(?is)<(input|button)\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>` + "`" + `]+)))?`)
)

func attrs(s string) map[string]string {
	m := map[string]string{}
	for _, a := range attrRe.FindAllStringSubmatch(s, -1) {
		m[strings.ToLower(a[1])] = html.UnescapeString(a[2] + a[3] + a[4])
	}
	return m
}

func findForms(body string) forms {
	var fs forms
	for _, fm := range formRe.FindAllStringSubmatch(body, -1) {
		f := &htmlForm{action: attrs(fm[1])["action"], hidden: url.Values{}, checked: url.Values{},
			inputs: map[string]string{}, buttons: map[string][]string{}}
		for _, in := range fieldRe.FindAllStringSubmatch(fm[2], -1) {
			a := attrs(in[2])
			name := a["name"]
			if name == "" {
				continue
			}
			_, checked := a["checked"]
			switch typ := strings.ToLower(a["type"]); {
			case strings.EqualFold(in[1], "button"):
				f.buttons[name] = append(f.buttons[name], a["value"])
			case typ == "hidden":
				f.hidden.Add(name, a["value"])
			case typ == "checkbox" || typ == "radio":
				if checked {
					f.checked.Add(name, a["value"])
				}
			default:
				f.inputs[name] = typ
			}
		}
		switch {
		case f.inputs["password"] == "password":
			fs.login = f
		case containsValue(f.buttons["consent"], "granted"):
			fs.consent = f
		case hasKey(f.inputs, "user_code"):
			fs.device = f
		}
	}
	return fs
}

func containsValue(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func hasKey(m map[string]string, k string) bool { _, ok := m[k]; return ok }

var (
	formErrorRe = regexp.MustCompile(`(?is)id="form-error"[^>]*>(.*?)</div>`)
	titleRe     = regexp.MustCompile(`(?is)<title>(.*?)</title>`)
	paraRe      = regexp.MustCompile(`(?is)<h1>.*?</h1>\s*<p>(.*?)</p>`)
	tagRe       = regexp.MustCompile(`(?s)<[^>]*>`)
)

// pageMessage is what a page says went wrong: its form error, else its title and first paragraph.
func pageMessage(body string) string {
	text := func(s string) string {
		return strings.Join(strings.Fields(html.UnescapeString(tagRe.ReplaceAllString(s, " "))), " ")
	}
	if m := formErrorRe.FindStringSubmatch(body); m != nil {
		return text(m[1])
	}
	var parts []string
	if m := titleRe.FindStringSubmatch(body); m != nil {
		parts = append(parts, text(m[1]))
	}
	if m := paraRe.FindStringSubmatch(body); m != nil {
		parts = append(parts, text(m[1]))
	}
	if len(parts) == 0 {
		s := text(body)
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		if s == "" {
			return "(empty page)"
		}
		return s
	}
	return strings.Join(parts, ": ")
}

// redirectParams reads a redirect to the client: the code, or the error it carries (RFC 6749 §4.1.2).
func redirectParams(location string) (code string, err error) {
	u, perr := url.Parse(location)
	if perr != nil {
		return "", perr
	}
	q := u.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("the authorization was refused: %s: %s", e, q.Get("error_description"))
	}
	if code = q.Get("code"); code == "" {
		return "", errors.New("the redirect carries no code")
	}
	return code, nil
}
