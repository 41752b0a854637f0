package httpapi

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/core/assembly"
	"github.com/assentry/assentry/core/interaction"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/oidc"
	"github.com/assentry/assentry/core/ratelimit"
	"github.com/assentry/assentry/core/registration"
	"github.com/assentry/assentry/core/session"
	"github.com/assentry/assentry/core/token"
	"github.com/assentry/assentry/themes"
	"github.com/gofiber/fiber/v2"
)

// Host is what the HTTP layer needs of one host: its identity, its page settings and its core services.
type Host struct {
	ID             string
	Hostnames      []string // lower-case, with the port when it is not the scheme's default
	Issuer         *url.URL
	SiteName       string
	SecurityPolicy string // the CSP of pages, before frame-ancestors (and img-src for logos) is added
	ShowLogos      bool   // render client logos (show_client_logos); adds img-src https: to the CSP
	// The operator's branding and links on every page (branding, terms_url, policy_url), "" when unset, and the
	// account page users are pointed at to see and revoke what they authorized.
	Logo, SupportURL, TermsURL, PolicyURL, AccountURL string
	CORSOrigins                                       []string // origins allowed on the JSON endpoints ("*" for any)
	// HSTS is the Strict-Transport-Security value sent on answers that arrived over TLS; "" when the issuer is
	// http or hsts.max_age is 0.
	HSTS string

	Accounts *account.Service
	Sessions *session.Manager
	// Flow runs the browser flows: authorization, login, consent, device verification.
	Flow *interaction.Service
	// Theme is the host's theme, swapped in place when its directory changes (live reload, themes/watch).
	Theme    *themes.Live
	OAuth    *oauth.Provider
	UserInfo *oidc.UserInfo
	RPLogout *oidc.Logout
	Keys     *token.Manager
	// IDTokenAlgs are the id_token algorithms the host signs with (it keeps a key for each).
	IDTokenAlgs []string

	// Registration is dynamic client registration (RFC 7591); nil: off, and /oauth2/register answers 404.
	Registration *registration.Registry
	// Documents resolve Client ID Metadata Document client_ids; nil: off (not advertised in the metadata).
	Documents *registration.Documents
	// RegisterPerIP limits registrations per client address; nil: unlimited.
	RegisterPerIP *ratelimit.Limiter
	// PushPerIP limits pushed authorization requests per client address; nil: unlimited.
	PushPerIP *ratelimit.Limiter
	// Ready is nil when the host can do all its work (assembly.Services.Ready), checked by /readyz; nil: always.
	Ready func(ctx context.Context) error
}

// NewHost is the HTTP side of a host built by core/assembly: its identity and page settings from the host's
// settings, its services as built, and its theme. The server and the HTTP tests both make their hosts here, so
// the tests serve what the server serves.
func NewHost(s *assembly.Services, theme *themes.Theme) *Host {
	h := s.Settings
	return &Host{
		ID: h.ID, Hostnames: h.Hostnames, Issuer: h.IssuerURL, SiteName: h.SiteName,
		SecurityPolicy: h.SecurityPolicy, ShowLogos: h.ShowClientLogos, CORSOrigins: h.CORSOrigins,
		Accounts: s.Accounts, Sessions: s.Sessions, Flow: s.Flow, Theme: themes.NewLive(theme), OAuth: s.OAuth,
		UserInfo: s.UserInfo, RPLogout: s.Logout, Keys: s.Keys, IDTokenAlgs: s.IDTokenAlgs,
		Registration: s.Registry, Documents: s.Documents, RegisterPerIP: s.RegisterPerIP, PushPerIP: s.PushPerIP, HSTS: hstsValue(h.IssuerURL, h.HSTSMaxAge),
		Ready: s.Ready, Logo: h.Logo, SupportURL: h.SupportURL, TermsURL: h.TermsURL, PolicyURL: h.PolicyURL,
		AccountURL: accountPath,
	}
}

// hstsValue is the Strict-Transport-Security value of a host: only an https issuer declares the policy, with
// max-age alone (RFC 6797 §6.1.1). includeSubDomains (§6.1.2) and preload would bind names this server does not
// serve, so it never sends them.
func hstsValue(issuer *url.URL, maxAge time.Duration) string {
	if issuer.Scheme != "https" || maxAge <= 0 {
		return ""
	}
	return "max-age=" + strconv.FormatInt(int64(maxAge/time.Second), 10)
}

// secure reports whether the host is served over https: cookies then get Secure and the __Host- prefix.
func (h *Host) secure() bool { return h.Issuer.Scheme == "https" }

const localsHost = "assentry.host"

// hostOf returns the host a request was routed to.
func hostOf(c *fiber.Ctx) *Host { return c.Locals(localsHost).(*Host) }

// routeHost picks the host by the Host header (docs/architecture.md §2). An unknown name gets 421, except with a single
// host, where the browser is sent to the issuer's URL instead (so localhost and 127.0.0.1 never loop over cookies set
// for the other name). The request is counted on the host table it was routed by until the rest of the chain
// returns, so a reload (SetHosts) releases the old hosts only after it.
func (s *Server) routeHost(c *fiber.Ctx) error {
	t := s.enterHosts()
	defer t.gate.Leave()
	name := strings.ToLower(string(c.Request().Host()))
	if h, ok := t.byName[name]; ok {
		c.Locals(localsHost, h)
		return c.Next()
	}
	noEndpoint(c)
	if len(t.hosts) == 1 {
		h := t.hosts[0]
		target := *h.Issuer
		target.Path = c.Path()
		target.RawQuery = string(c.Request().URI().QueryString())
		return c.Redirect(target.String(), fiber.StatusTemporaryRedirect)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.Status(fiber.StatusMisdirectedRequest).SendString("421 Misdirected Request: this server does not serve the host " + quoteHost(name) + "\n")
}

func quoteHost(name string) string {
	if len(name) > 255 {
		name = name[:255]
	}
	return "\"" + strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, name) + "\""
}
