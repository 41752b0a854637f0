package themes

// Page is the data every template receives (docs/architecture.md §6, documented per template in themes/README.md).
// Fields a page does not use are left zero; templates test them with {{if}}.
type Page struct {
	SiteName string // the host's site_name
	Host     string // the host's public host name
	Locale   string // BCP 47 tag for <html lang>, "en" by default; the locale the page is rendered in
	Title    string // the page title (the template may ignore it)

	// The operator's branding and links (config branding, terms_url, policy_url), each "" when not configured.
	Logo       string // the site's logo: a URL path under /static/, made its hashed URL when rendered
	TermsURL   string // the operator's terms of service
	PolicyURL  string // the operator's privacy policy
	SupportURL string // where users get help
	AccountURL string // the account page, where users see and revoke what they authorized
	RequestID  string // the request's id, as logged: the reference a user quotes to support

	Client  *Client  // the client a flow is for, if any
	Scopes  []Scope  // consent: one per scope asked for
	User    *User    // the signed-in user, if any
	Error   *Error   // error page and form errors
	CSRF    CSRF     // every form carries .CSRF.Field = .CSRF.Value
	Notices []string // notices a consent policy added
	Extra   map[string]any

	Interaction string // the flow's interaction id, carried by every flow form
	Username    string // login: the pre-filled username (login_hint or the last attempt)
	Action      string // the form's target path (login: "/login")
	Return      *Link  // a link back (error page: "return to <client host>"; signed-in page)
	RetryAfter  int    // 429 pages: seconds until the next attempt is allowed
	Code        string // oob: the authorization code to copy
	UserCode    string // device: the user code typed, or pre-filled from verification_uri_complete
	Device      bool   // consent: the user approves a device that asked with a user code (show the warning)
	// RedirectHost is the host the authorization response goes to (login, consent): where the code is sent.
	RedirectHost string
	// Resources are the resource indicators (RFC 8707) the request names (consent): the APIs the application
	// will use the access for, each an absolute URI. Empty when it names none.
	Resources []string
	Approved  bool // device_done: the user approved the device (false: denied)
	ShowLogos bool // the operator enabled show_client_logos (the CSP then allows img-src https:)

	Account *Account // account: the user's applications and sessions (account.go)
}

// Client is what a page shows of a client.
type Client struct {
	ID        string
	Name      string
	URI       string
	LogoURI   string // rendered only when the operator enabled show_client_logos
	TOSURI    string
	PolicyURI string
	// Origin is where the client is from, as far as the server knows: the host of its client_uri, or of its
	// redirect URI when it has none, or, for a client identified by its metadata document, the host of its
	// client_id URL and never its client_uri's. Show it next to the name, which anyone registering a client can
	// choose.
	Origin string
	// Untrusted is a client the operator marked untrusted, one that registered itself, or one identified by a
	// metadata document: show where the code goes.
	Untrusted bool
}

// Scope is one scope row on the consent page.
type Scope struct {
	Name        string
	Title       string
	Description string
	Checked     bool
	// Fixed is a scope that cannot be declined (openid: the sign-in itself): shown as text, not a checkbox. The
	// server grants it with any "Allow", whatever the form says.
	Fixed bool
	// Key names the built-in text of the scope in the catalog (<Key>.title, <Key>.description); "" when the
	// operator or a policy wrote the text.
	Key string
}

// User is what a page shows of the signed-in user.
type User struct {
	Username string
	Name     string
}

// Error is an error shown to the user. The server sets Code and either Key (a message of the catalog, with Args)
// or Description (a protocol error's English description); Render fills Title and Description in the page's
// language (see translateError).
type Error struct {
	Code        string
	Description string // the sentence for the user, in the page's language when the catalog has one
	Title       string // the heading: error.<code>.title of the catalog
	Detail      string // the protocol's English description, when Description explains the code instead
	Key         string // the catalog message of the server's own text, "" for protocol errors
	Args        []any  // Key's {name} arguments, as name/value pairs
}

// CSRF is the anti-forgery field every form must carry.
type CSRF struct {
	Field string
	Value string
}

// Link is a labelled URL.
type Link struct {
	URL  string
	Text string
}
