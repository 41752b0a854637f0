package themes

import (
	"slices"
	"strings"
	"time"
)

// State is one state of a page with sample data: the load-time check renders every state of every page (so a
// misspelt field in any branch that data reaches fails at start), and `assentry theme serve` shows each one.
type State struct {
	Name  string // URL-safe: "error", "rate-limited", "many-scopes"
	Label string // for people: "with an error"
	Page  *Page
}

// StateAllFields names the state every page has: every field of Page set.
const StateAllFields = "all-fields"

// States returns the sample states of a page. The pages the server renders get their real states (login with an
// error, rate limited, ...), including one with only the fields themes/README.md promises for that page, so an
// unguarded optional field such as .Client.Name on login fails, and one with every field set. Any other page (an
// extra page of a theme, or a page this version does not know) gets the page with every field set only.
func States(name string) []State {
	full := State{StateAllFields, "every field set", fullPage()}
	var states []State
	switch name {
	case PageLogin:
		states = loginStates()
	case PageSignedIn:
		states = []State{
			page("plain", "signed in, with a way back", func(p *Page) {
				p.User = sampleUser()
				p.Return = &Link{URL: "https://app.example.com/"}
			}),
			page("minimal", "only required fields", func(p *Page) { p.User = sampleUser() }),
		}
	case PageLogout:
		states = logoutStates()
	case PageError:
		states = errorStates()
	case PageConsent:
		states = consentStates()
	case PageOOB:
		states = []State{
			page("plain", "a code for an application", func(p *Page) { p.Code = sampleCode; p.Client = sampleClient() }),
			page("minimal", "only required fields", func(p *Page) { p.Code = sampleCode }),
		}
	case PageDevice:
		states = deviceStates()
	case PageAccount:
		states = accountStates()
	case PageDeviceDone:
		states = []State{
			page("approved", "device connected", func(p *Page) { p.Approved = true; p.Client = sampleClient() }),
			page("denied", "device denied", func(p *Page) { p.Client = sampleClient() }),
			page("minimal", "denied, only required fields", nil),
			page("minimal-approved", "approved, only required fields", func(p *Page) { p.Approved = true }),
		}
	}
	return append(states, full)
}

// BaseOf returns the page an extra page stands in for, by the start of its name: "consent-acme" → "consent", so
// the preview shows a branded page in the states of the page it replaces. "" when no page matches.
func BaseOf(name string) string {
	if slices.Contains(Required(), name) {
		return ""
	}
	for _, p := range Required() {
		if strings.HasPrefix(name, p) && strings.ContainsRune("-_.", rune(name[len(p)])) {
			return p
		}
	}
	return ""
}

func loginStates() []State {
	flow := func(p *Page) {
		p.Action, p.Interaction, p.Client = "/login", "sample-interaction", sampleClient()
	}
	return []State{
		page("plain", "signing in for an application", flow),
		page("error", "after a wrong password", func(p *Page) {
			flow(p)
			p.Username = "alice"
			p.Error = &Error{Code: "access_denied", Key: MsgBadCredentials}
		}),
		page("rate-limited", "too many attempts", func(p *Page) {
			flow(p)
			p.Username = "alice"
			p.Error = &Error{Code: "temporarily_unavailable", Key: MsgLoginRateLimited}
			p.RetryAfter = 150
		}),
		page("minimal", "only required fields", func(p *Page) { p.Action = "/login" }),
	}
}

func consentStates() []State {
	base := func(p *Page) {
		p.Client, p.User, p.Interaction, p.Action = sampleClient(), sampleUser(), "sample-interaction", "/consent"
		p.Scopes = []Scope{
			{Name: "openid", Title: "Sign you in", Description: "Know who you are on this site.", Checked: true,
				Fixed: true, Key: "scope.openid"},
			{Name: "email", Title: "Email address", Description: "See your email address.", Checked: true,
				Key: "scope.email"},
		}
	}
	return []State{
		page("plain", "two scopes", base),
		page("many-scopes", "many scopes, some without a title", func(p *Page) {
			base(p)
			for _, s := range []string{"profile", "phone", "address", "offline_access", "roles", "groups",
				"calendar.read", "calendar.write", "files:read", "files:write", "xmpp", "admin"} {
				p.Scopes = append(p.Scopes, Scope{Name: s, Description: "Sample description of " + s + "."})
			}
			p.Scopes[3].Title = "Telephone number, as the operator titled it"
		}),
		page("long-client-name", "a long client name and origin, untrusted", func(p *Page) {
			base(p)
			p.Client.Name = "The Extraordinarily Long-Named Collaborative Document Editing and Team Calendar Application for Enterprises"
			p.Client.URI = "https://a-very-long-subdomain-name-of-the-calendar.collaboration-suite.example.com/"
			p.Client.Origin = "a-very-long-subdomain-name-of-the-calendar.collaboration-suite.example.com"
			p.Client.Untrusted = true
			p.RedirectHost = "callback.a-very-long-subdomain-name-of-the-calendar.collaboration-suite.example.com"
		}),
		page("untrusted", "an untrusted client: where the code goes", func(p *Page) {
			base(p)
			p.Client.Untrusted = true
			p.RedirectHost = "app.example.com"
		}),
		page("notices", "with a consent policy's notices", func(p *Page) {
			base(p)
			p.Notices = []string{"This application is not verified by Example.", "It was registered 2 hours ago."}
		}),
		page("device", "approving a device", func(p *Page) { base(p); p.Device = true }),
		page("resources", "for named services (RFC 8707 resources)", func(p *Page) {
			base(p)
			p.Resources = sampleResources()
		}),
		page("metadata-document", "a client identified by its metadata document", func(p *Page) {
			base(p)
			p.Client = &Client{ID: "https://tools.example.net/oauth/client-metadata.json", Name: "MCP Tool",
				Origin: "tools.example.net", Untrusted: true}
			p.RedirectHost = "127.0.0.1"
		}),
		page("error", "after a problem", func(p *Page) {
			base(p)
			p.Error = &Error{Code: "invalid_request", Key: MsgChooseConsent}
		}),
		page("minimal", "only required fields", func(p *Page) {
			p.Client = &Client{ID: "client-1"}
			p.User = &User{Username: "alice"}
			p.Scopes = []Scope{{Name: "openid"}}
			p.Interaction = "sample-interaction"
			p.Action = "/consent"
		}),
	}
}

func deviceStates() []State {
	return []State{
		page("entry", "code entry", func(p *Page) { p.Action = "/device" }),
		page("prefilled", "code filled in from the link", func(p *Page) { p.Action = "/device"; p.UserCode = "WDJB-MJHT" }),
		page("error", "a wrong code", func(p *Page) {
			p.Action, p.UserCode = "/device", "WDJB-MJHX"
			p.Error = &Error{Code: "invalid_request", Key: MsgDeviceBadCode}
		}),
		page("rate-limited", "too many codes", func(p *Page) {
			p.Action = "/device"
			p.Error = &Error{Code: "temporarily_unavailable", Key: MsgDeviceRateLimited}
			p.RetryAfter = 60
		}),
	}
}

func errorStates() []State {
	return []State{
		page("plain", "with a way back to the client", func(p *Page) {
			p.Error = &Error{Code: "invalid_request", Description: "The request is missing a required parameter."}
			p.Return = &Link{URL: "https://app.example.com/"}
		}),
		page("rate-limited", "too many requests", func(p *Page) {
			// As oauth.TooManyRequests answers: 429 with temporarily_unavailable.
			p.Error = &Error{Code: "temporarily_unavailable", Description: "too many requests from this address; retry later"}
			p.RetryAfter = 30
		}),
		page("minimal", "only required fields", func(p *Page) { p.Error = sampleError() }),
	}
}

func logoutStates() []State {
	return []State{
		page("confirm", "sign-out confirmation", func(p *Page) {
			p.User = sampleUser()
			p.Return = &Link{URL: "/"}
		}),
		page("rp-initiated", "sign-out asked by an application", func(p *Page) {
			p.User, p.Client, p.Action = sampleUser(), sampleClient(), "/oauth2/logout"
			p.Extra = map[string]any{"post_logout_redirect_uri": "https://app.example.com/", "state": "sample",
				"client_id": "client-1"}
		}),
		page("done", "signed out", func(p *Page) { p.Extra = map[string]any{"done": true} }),
		page("minimal", "only required fields", nil),
	}
}

// page is a state with the fields every page receives, plus what set adds.
func page(name, label string, set func(*Page)) State {
	p := &Page{SiteName: "Example", Host: "id.example.com", Locale: "en", CSRF: CSRF{Field: "csrf_token", Value: "sample"}}
	if set != nil {
		set(p)
	}
	return State{name, label, p}
}

// fullPage is a Page with every field set.
func fullPage() *Page {
	return &Page{
		SiteName: "Example",
		Host:     "id.example.com",
		Locale:   "en",
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
		Return:       &Link{URL: "https://app.example.com/"},
		Code:         sampleCode,
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
		Resources:    sampleResources(),
		Account:      sampleAccount(),
	}
}

func accountStates() []State {
	required := func(p *Page) { p.User = sampleUser(); p.Account = &Account{} }
	return []State{
		page("plain", "two applications and two sessions", func(p *Page) {
			p.User = sampleUser()
			p.Account = sampleAccount()
			p.Account.Done = ""
		}),
		page("resources", "an application for named services (RFC 8707 resources)", func(p *Page) {
			required(p)
			at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
			p.Account.Applications = []Application{{
				Client: &Client{ID: "https://tools.example.net/oauth/client-metadata.json", Name: "MCP Tool"},
				Origin: "tools.example.net", FirstUsed: at, LastUsed: at.Add(26 * time.Hour),
				Scopes: []Scope{{Name: "calendar"}}, Resources: sampleResources()}}
		}),
		page("revoked", "after removing an application", func(p *Page) {
			required(p)
			p.Account = &Account{Done: "revoked", Applications: []Application{{Client: &Client{ID: "client-2"}}},
				Sessions: []ActiveSession{{Current: true}}}
		}),
		page("signed-out-elsewhere", "after signing out everywhere else", func(p *Page) {
			required(p)
			p.Account.Done, p.Account.SignedOut = "signed_out", 2
		}),
		page("password-changed", "after changing the password", func(p *Page) { required(p); p.Account.Done = "password" }),
		page("password-refused", "a new password the policy refused", func(p *Page) {
			required(p)
			p.Error = &Error{Code: "invalid_request", Key: MsgAccountPasswordRule + "too_short", Args: []any{"min", 15}}
		}),
		page("rate-limited", "too many wrong passwords", func(p *Page) {
			required(p)
			p.Error = &Error{Code: "temporarily_unavailable", Key: MsgAccountRateLimited}
			p.RetryAfter = 90
		}),
		page("minimal", "only required fields", required),
	}
}

// sampleAccount is an account page with two applications (one without a name) and two sessions.
func sampleAccount() *Account {
	at := time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)
	return &Account{
		Applications: []Application{
			{Client: &Client{ID: "client-1", Name: "Example App", URI: "https://app.example.com/"},
				Origin: "app.example.com", FirstUsed: at, LastUsed: at.Add(72 * time.Hour),
				Scopes: []Scope{{Name: "openid", Title: "Sign you in", Key: "scope.openid"},
					{Name: "email", Title: "Email address", Key: "scope.email"}},
				Resources: []string{"https://api.example.com/"}},
			{Client: &Client{ID: "client-2"}, Scopes: []Scope{{Name: "profile", Key: "scope.profile"},
				{Name: "calendar", Title: "Calendar"}}},
		},
		Sessions: []ActiveSession{
			{SignedInAt: at, ExpiresAt: at.Add(30 * 24 * time.Hour)},
			{SignedInAt: at.Add(time.Hour), ExpiresAt: at.Add(31 * 24 * time.Hour), Current: true},
		},
		Done: "revoked", SignedOut: 1,
	}
}

// sampleResources are resource indicators as a client names them: a short one and a long one that must wrap.
func sampleResources() []string {
	return []string{"https://api.example.com/",
		"https://calendar.collaboration-suite.example.com/api/v2/organizations/example/calendars"}
}

const sampleCode = "ac_Sample-0123456789abcdefghijklmnopqrstuvwxyz"

func sampleClient() *Client {
	return &Client{ID: "client-1", Name: "Example App", URI: "https://app.example.com/", Origin: "app.example.com"}
}
func sampleUser() *User   { return &User{Username: "alice", Name: "Alice Example"} }
func sampleError() *Error { return &Error{Code: "access_denied", Key: MsgBadCredentials} }
