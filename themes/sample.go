package themes

import "time"

// sample is one Page a template is test-rendered with at load.
type sample struct {
	label string
	page  *Page
}

// samples returns the pages a template is rendered with at load. Every page gets a page with every field set (so a
// misspelt field in any {{if}} branch that data reaches fails) and, for the pages the server renders, one with only
// the fields README.md promises for that page (so an unguarded optional field such as .Client.Name on login fails)
// plus the page's other states. Extra templates get the full page only: their data is the theme author's business.
func samples(name string) []sample {
	full := sample{"every field set", fullPage()}
	switch name {
	case PageLogin:
		limited := fullPage()
		limited.RetryAfter = 150
		limited.Error = nil
		return []sample{full, minimal("only required fields", func(p *Page) { p.Action = "/login" }),
			{"rate limited", limited}}
	case PageSignedIn:
		return []sample{full, minimal("only required fields", func(p *Page) { p.User = sampleUser() })}
	case PageLogout:
		return []sample{full, minimal("only required fields", nil),
			minimal("signed out", func(p *Page) { p.Extra = map[string]any{"done": true} })}
	case PageError:
		limited := fullPage()
		limited.RetryAfter = 30
		return []sample{full, minimal("only required fields", func(p *Page) { p.Error = sampleError() }),
			{"rate limited", limited}}
	case PageConsent:
		return []sample{full, minimal("only required fields", func(p *Page) {
			p.Client = &Client{ID: "client-1"}
			p.User = &User{Username: "alice"}
			p.Scopes = []Scope{{Name: "openid"}}
			p.Interaction = "sample-interaction"
			p.Action = "/consent"
		})}
	case PageOOB:
		return []sample{full, minimal("only required fields", func(p *Page) { p.Code = "ac_sample" })}
	case PageDevice:
		limited := fullPage()
		limited.RetryAfter = 60
		return []sample{full, minimal("only required fields", func(p *Page) { p.Action = "/device" }),
			{"rate limited", limited}}
	case PageAccount:
		required := func(p *Page) { p.User = sampleUser(); p.Account = &Account{} }
		return []sample{full, minimal("only required fields", required),
			minimal("application revoked", func(p *Page) {
				required(p)
				p.Account = &Account{Done: "revoked", Applications: []Application{{Client: &Client{ID: "client-2"}}},
					Sessions: []ActiveSession{{Current: true}}}
			}),
			minimal("signed out elsewhere", func(p *Page) { required(p); p.Account.Done, p.Account.SignedOut = "signed_out", 2 }),
			minimal("password changed", func(p *Page) { required(p); p.Account.Done = "password" }),
			minimal("password refused", func(p *Page) { required(p); p.Error = sampleError() })}
	case PageDeviceDone:
		return []sample{full, minimal("denied, only required fields", nil),
			minimal("approved, only required fields", func(p *Page) { p.Approved = true })}
	}
	return []sample{full}
}

// minimal is a sample with the fields every page receives, plus what set adds.
func minimal(label string, set func(*Page)) sample {
	p := &Page{SiteName: "Example", Host: "id.example.com", Locale: "en", CSRF: CSRF{Field: "csrf_token", Value: "sample"}}
	if set != nil {
		set(p)
	}
	return sample{label, p}
}

// fullPage is a Page with every field set.
func fullPage() *Page {
	return &Page{
		SiteName: "Example",
		Host:     "id.example.com",
		Locale:   "en",
		Title:    "Sample",
		Client: &Client{
			ID: "client-1", Name: "Example App", URI: "https://app.example.com/", Origin: "app.example.com", Untrusted: true,
			LogoURI: "https://app.example.com/logo.png", TOSURI: "https://app.example.com/tos",
			PolicyURI: "https://app.example.com/privacy",
		},
		Scopes: []Scope{
			{Name: "openid", Title: "Sign you in", Description: "Know who you are on this site.", Checked: true,
				Fixed: true, Key: "scope.openid"},
			{Name: "email", Title: "Email address", Description: "See your email address.", Key: "scope.email"},
			{Name: "calendar", Title: "Calendar", Description: "A scope the operator described."},
		},
		User:    sampleUser(),
		Error:   sampleError(),
		CSRF:    CSRF{Field: "csrf_token", Value: "sample"},
		Notices: []string{"Sample notice."},
		Extra: map[string]any{
			"post_logout_redirect_uri": "https://app.example.com/", "state": "sample", "client_id": "client-1",
		},
		Interaction:  "sample-interaction",
		Username:     "alice",
		Action:       "/sample",
		Return:       &Link{URL: "https://app.example.com/", Text: "Back to Example App"},
		Code:         "ac_sample",
		UserCode:     "WDJB-MJHT",
		Device:       true,
		Approved:     true,
		ShowLogos:    true,
		Logo:         "/static/favicon.svg",
		TermsURL:     "https://example.com/terms",
		PolicyURL:    "https://example.com/privacy",
		SupportURL:   "https://example.com/help",
		AccountURL:   "/account",
		RequestID:    "sample-request-id",
		RedirectHost: "app.example.com",
		Account:      sampleAccount(),
	}
}

// sampleAccount is an account page with two applications (one without a name) and two sessions.
func sampleAccount() *Account {
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	return &Account{
		Applications: []Application{
			{Client: &Client{ID: "client-1", Name: "Example App", URI: "https://app.example.com/"},
				Origin: "app.example.com", FirstUsed: at, LastUsed: at.Add(72 * time.Hour),
				Scopes: []Scope{{Name: "openid", Title: "Sign you in"}, {Name: "email", Title: "Email address"}}},
			{Client: &Client{ID: "client-2"}, Scopes: []Scope{{Name: "profile"}}},
		},
		Sessions: []ActiveSession{
			{SignedInAt: at, ExpiresAt: at.Add(30 * 24 * time.Hour)},
			{SignedInAt: at.Add(time.Hour), ExpiresAt: at.Add(31 * 24 * time.Hour), Current: true},
		},
		Done: "revoked", SignedOut: 1,
	}
}

func sampleUser() *User   { return &User{Username: "alice", Name: "Alice Example"} }
func sampleError() *Error { return &Error{Code: "access_denied", Key: MsgBadCredentials} }
