package themes

import (
	"fmt"
	"strings"
	"testing"
)

// evilClient has a name and URIs a dynamically registered client could choose.
func evilClient() *Client {
	return &Client{
		ID: "dyn-1", Name: `Acme <script>alert(1)</script>`, URI: "https://acme.example/", Origin: "acme.example",
		LogoURI: "https://acme.example/logo.png", TOSURI: "https://acme.example/tos", PolicyURI: "javascript:alert(1)",
	}
}

func TestRenderDefault(t *testing.T) {
	th := mustLoad(t, "")
	with := func(set func(*Page)) *Page { p := basePage(); set(p); return p }
	tests := []struct {
		name    string
		page    string
		data    *Page
		want    []string
		notWant []string
	}{
		{
			name: "login with client, interaction and error",
			page: PageLogin,
			data: with(func(p *Page) {
				p.Action, p.Interaction, p.Username = "/login", "int-1", `bob"><b>`
				p.Client = evilClient()
				p.Error = &Error{Code: "access_denied", Key: MsgBadCredentials}
			}),
			want: []string{
				`<!doctype html>`, `<html lang="en">`, `<title>Sign in · Example ID</title>`,
				`<link rel="stylesheet" href="/static/style.`,
				`<form method="post" action="/login">`,
				`<input type="hidden" name="csrf_token" value="tok-123">`,
				`<input type="hidden" name="interaction" value="int-1">`,
				`name="username"`, `autocomplete="username"`, `value="bob&#34;&gt;&lt;b&gt;"`,
				`name="password"`, `type="password"`, `autocomplete="current-password"`,
				`role="alert"`, `The username or password is not correct.`, `aria-describedby="form-error"`,
				`to continue to Acme &lt;script&gt;alert(1)&lt;/script&gt;`,
			},
			notWant: []string{`<script>`, `<img`, `style=`, `Too many attempts`},
		},
		{
			name:    "login without client or interaction",
			page:    PageLogin,
			data:    with(func(p *Page) { p.Action = "/login" }),
			want:    []string{`name="username"`, `value=""`, `name="csrf_token"`},
			notWant: []string{`to continue to`, `name="interaction"`, `role="alert"`, `aria-invalid`},
		},
		{
			name: "login rate limited in seconds",
			page: PageLogin,
			data: with(func(p *Page) { p.Action, p.RetryAfter = "/login", 30 }),
			want: []string{`role="alert"`, `30 seconds`, `name="password"`},
		},
		{
			name: "login rate limited in minutes",
			page: PageLogin,
			data: with(func(p *Page) { p.Action, p.RetryAfter = "/login", 601 }),
			want: []string{`11 minutes`},
		},
		{
			name: "login shows a logo only when enabled",
			page: PageLogin,
			data: with(func(p *Page) { p.Client, p.ShowLogos = evilClient(), true }),
			want: []string{`<img class="logo" src="https://acme.example/logo.png" alt=""`},
		},
		{
			name: "signed in",
			page: PageSignedIn,
			data: with(func(p *Page) { p.User = &User{Username: "alice", Name: "Alice <A>"} }),
			want: []string{
				`<title>Signed in · Example ID</title>`, `Signed in as alice`, `Alice &lt;A&gt;`,
				`<form method="post" action="/logout">`, `name="csrf_token" value="tok-123"`, `>Sign out</button>`,
			},
		},
		{
			name: "logout confirmation for RP-initiated logout",
			page: PageLogout,
			data: with(func(p *Page) {
				p.User = &User{Username: "alice"}
				p.Client = evilClient()
				p.Extra = map[string]any{
					"post_logout_redirect_uri": "https://acme.example/bye?a=1&b=2", "state": `s"1`, "client_id": "dyn-1",
				}
			}),
			want: []string{
				`Sign out of Example ID?`, `signed in as alice`,
				`<form method="post" action="/logout">`, `name="csrf_token" value="tok-123"`,
				`<input type="hidden" name="post_logout_redirect_uri" value="https://acme.example/bye?a=1&amp;b=2">`,
				`<input type="hidden" name="state" value="s&#34;1">`,
				`<input type="hidden" name="client_id" value="dyn-1">`,
				`<button type="submit" class="button primary">Sign out</button>`,
			},
			notWant: []string{`<script>`, `Signed out`, `id_token_hint`},
		},
		{
			name: "logout done",
			page: PageLogout,
			data: with(func(p *Page) {
				p.Extra = map[string]any{"done": true}
				p.Return = &Link{URL: "https://acme.example/bye"}
			}),
			want:    []string{`<title>Signed out · Example ID</title>`, `<h1>Signed out</h1>`, `Return to acme.example`},
			notWant: []string{`<form`},
		},
		{
			name: "error with return link",
			page: PageError,
			data: with(func(p *Page) {
				p.Error = &Error{Code: "invalid_request", Description: "redirect_uri <b>mismatch</b>"}
				p.Return = &Link{URL: "https://acme.example/cb?x=1", Text: "Trusted Bank"}
			}),
			want: []string{
				`<title>This request cannot be completed · Example ID</title>`, `<code>invalid_request</code>`,
				`Details: redirect_uri &lt;b&gt;mismatch&lt;/b&gt;`, `href="https://acme.example/cb?x=1"`, `Return to acme.example</a>`,
			},
			notWant: []string{`<b>`, `Trusted Bank`},
		},
		{
			name: "error page for 429",
			page: PageError,
			data: with(func(p *Page) { p.Error, p.RetryAfter = &Error{Code: "too_many_requests"}, 1 }),
			want: []string{`<h1>Too many attempts</h1>`, `wait 1 second and`},
		},
		{
			name: "consent",
			page: PageConsent,
			data: with(func(p *Page) {
				p.Action, p.Interaction = "/consent", "int-2"
				p.Client = evilClient()
				p.User = &User{Username: "alice"}
				p.Scopes = []Scope{
					{Name: "openid", Title: "Sign you in", Description: "Know who you are.", Checked: true},
					{Name: "email", Description: "See your email <address>."},
				}
				p.Notices = []string{"Not verified <by us>."}
			}),
			want: []string{
				`<form method="post" action="/consent">`, `name="csrf_token" value="tok-123"`,
				`<input type="hidden" name="interaction" value="int-2">`,
				`<input type="checkbox" id="scope-0" name="scope" value="openid" checked aria-describedby="scope-0-desc">`,
				`<input type="checkbox" id="scope-1" name="scope" value="email" aria-describedby="scope-1-desc">`,
				`<label for="scope-0">Sign you in</label>`, `<label for="scope-1">email</label>`,
				`See your email &lt;address&gt;.`, `<li>Not verified &lt;by us&gt;.</li>`,
				`<button type="submit" name="consent" value="granted"`, `<button type="submit" name="consent" value="denied"`,
				`Signed in as alice`, `<a href="https://acme.example/">acme.example</a>`,
				`<a href="https://acme.example/tos">Terms of service</a>`, `#ZgotmplZ`, // javascript: policy URI neutralised
				`Authorize Acme &lt;script&gt;`,
			},
			notWant: []string{`<script>`, `javascript:`, `<img`},
		},
		{
			name: "oob",
			page: PageOOB,
			data: with(func(p *Page) { p.Code = "ac_abc<def"; p.Client = &Client{ID: "c", URI: "https://tv.example/"} }),
			want: []string{`readonly`, `>ac_abc&lt;def</textarea>`, `paste it into tv.example.`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := render(t, th, tt.page, tt.data)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in:\n%s", w, got)
				}
			}
		})
	}
}

func TestRenderErrors(t *testing.T) {
	th := mustLoad(t, writeTheme(t, map[string]string{
		// Passes the load check (the sample has three scopes) but fails with more than three.
		"fragile.html": `{{template "layout.html" .}}{{define "content"}}partial output{{if gt (len .Scopes) 3}}{{index .Scopes 9}}{{end}}{{end}}`,
	}))
	tests := []struct {
		name string
		page string
		data *Page
		want string
	}{
		{name: "unknown page", page: "nope", data: basePage(), want: `no page template "nope"`},
		{name: "nil page", page: PageLogin, data: nil, want: "nil page"},
		{name: "execution error", page: "fragile", data: &Page{Scopes: make([]Scope, 4)}, want: "render fragile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			err := th.Render(&b, tt.page, tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes of a failed page", b.Len())
			}
		})
	}
}

func TestFuncs(t *testing.T) {
	hosts := []struct{ name, in, want string }{
		{"https URL", "https://app.example.com/cb?x=1", "app.example.com"},
		{"with port", "http://127.0.0.1:8080/", "127.0.0.1:8080"},
		{"no scheme", "app.example.com/cb", "app.example.com/cb"},
		{"custom scheme without host", "com.example.app:/cb", "com.example.app:/cb"},
		{"empty", "", ""},
	}
	for _, tt := range hosts {
		t.Run("hostOf "+tt.name, func(t *testing.T) {
			if got := hostOf(tt.in); got != tt.want {
				t.Errorf("hostOf(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	mins := []struct {
		name     string
		in, want int
	}{{"zero", 0, 0}, {"negative", -5, 0}, {"one second", 1, 1}, {"exact", 120, 2}, {"rounds up", 121, 3}}
	for _, tt := range mins {
		t.Run("minutes "+tt.name, func(t *testing.T) {
			if got := minutes(tt.in); got != tt.want {
				t.Errorf("minutes(%d) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

// TestRenderConcurrent renders from many goroutines: a Theme is shared by every request (run with -race).
func TestRenderConcurrent(t *testing.T) {
	th := mustLoad(t, "")
	done := make(chan error)
	for i := range 8 {
		go func() {
			p := basePage()
			p.User = &User{Username: fmt.Sprint("user", i)}
			var b strings.Builder
			done <- th.Render(&b, PageSignedIn, p)
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
