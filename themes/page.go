package themes

// Page is the data every template receives (docs/architecture.md §6, documented per template in themes/README.md).
// Fields a page does not use are left zero; templates test them with {{if}}.
type Page struct {
	SiteName string // the host's site_name
	Host     string // the host's public host name
	Locale   string // BCP 47 tag for <html lang>, "en" by default
	Title    string // the page title (the template may ignore it)

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
	Approved    bool   // device_done: the user approved the device (false: denied)
	ShowLogos   bool   // the operator enabled show_client_logos (the CSP then allows img-src https:)

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
}

// Scope is one scope row on the consent page.
type Scope struct {
	Name        string
	Title       string
	Description string
	Checked     bool
}

// User is what a page shows of the signed-in user.
type User struct {
	Username string
	Name     string
}

// Error is an error shown to the user.
type Error struct {
	Code        string
	Description string
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
