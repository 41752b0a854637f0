package registration_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/cimd"
	"github.com/assentry/assentry/core/oauth"
	"github.com/assentry/assentry/core/registration"
)

// fakeFetcher serves documents by URL, or refuses with a *cimd.Error, as cimd.Fetcher would.
type fakeFetcher map[string]string

func (f fakeFetcher) Fetch(_ context.Context, url string) ([]byte, error) {
	body, ok := f[url]
	if !ok {
		return nil, &cimd.Error{Msg: "the client_id URL answered with HTTP status 404, not 200"}
	}
	return []byte(body), nil
}

const docURL = "https://app.example.com/oauth/client.json"

// docBody is a valid document for docURL with members replaced or added.
func docBody(extra string) string {
	base := `"client_id":"` + docURL + `","client_name":"App","client_uri":"https://app.example.com/",` +
		`"redirect_uris":["http://127.0.0.1/cb","http://localhost/cb"],"application_type":"native"`
	if extra != "" {
		return "{" + extra + "," + base + "}"
	}
	return "{" + base + "}"
}

func newDocuments(t *testing.T, f registration.Fetcher, plugins ...string) *registration.Documents {
	t.Helper()
	d, err := registration.NewDocuments(registration.DocumentOptions{Host: "test", Fetcher: f,
		Policy: registrationChain(t, true, plugins...),
		Rules:  registration.Rules{GrantTypes: []string{"authorization_code", "refresh_token"}, ResponseTypes: []string{"code"}}})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDocumentClient: a valid document is a public, untrusted client marked as a metadata document client.
func TestDocumentClient(t *testing.T) {
	d := newDocuments(t, fakeFetcher{docURL: docBody(`"scope":"openid profile"`)})
	c, err := d.Get(context.Background(), docURL)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != docURL || c.TokenEndpointAuthMethod != oauth.AuthNone || c.SecretHash != "" || !c.Untrusted ||
		!c.MetadataDocument || c.Name != "App" || len(c.RedirectURIs) != 2 || strings.Join(c.Scopes, " ") != "openid profile" {
		t.Fatalf("client: %+v", c)
	}
}

// TestDocumentRefusals: each MUST of draft-ietf-oauth-client-id-metadata-document §4 and each registration rule
// refuses the client, as invalid_client naming the rule, which flows treat as an unknown client.
func TestDocumentRefusals(t *testing.T) {
	const other = "https://app.example.com/other.json"
	docs := fakeFetcher{
		docURL + "?mismatch":   docBody(``),
		docURL + "?secret":     strings.Replace(docBody(`"client_secret":"s3cret"`), docURL+`"`, docURL+`?secret"`, 1),
		docURL + "?basic":      strings.Replace(docBody(`"token_endpoint_auth_method":"client_secret_basic"`), docURL+`"`, docURL+`?basic"`, 1),
		docURL + "?jwt":        strings.Replace(docBody(`"token_endpoint_auth_method":"client_secret_jwt"`), docURL+`"`, docURL+`?jwt"`, 1),
		docURL + "?pkjwt":      strings.Replace(docBody(`"token_endpoint_auth_method":"private_key_jwt"`), docURL+`"`, docURL+`?pkjwt"`, 1),
		docURL + "?noid":       `{"client_name":"App","redirect_uris":["http://127.0.0.1/cb"]}`,
		docURL + "?noredirect": `{"client_id":"` + docURL + `?noredirect","client_name":"App","client_uri":"https://app.example.com/"}`,
		docURL + "?webhttp": `{"client_id":"` + docURL + `?webhttp","client_name":"App","client_uri":"https://app.example.com/",` +
			`"redirect_uris":["http://app.example.com/cb"]}`,
		docURL + "?array": `[1]`,
		docURL + "?cc":    strings.Replace(docBody(`"grant_types":["client_credentials"]`), docURL+`"`, docURL+`?cc"`, 1),
	}
	d := newDocuments(t, docs)
	tests := []struct{ name, url, want string }{
		{"client_id differs from the URL", docURL + "?mismatch", "client_id: does not equal the URL"},
		{"client_secret present", docURL + "?secret", "client_secret: must not be present"},
		{"client_secret_basic", docURL + "?basic", "must not be a shared-secret method"},
		{"client_secret_jwt", docURL + "?jwt", "must not be a shared-secret method"},
		{"private_key_jwt (not supported)", docURL + "?pkjwt", "is not supported for metadata document clients"},
		{"no client_id", docURL + "?noid", "client_id: is required"},
		{"no redirect_uris", docURL + "?noredirect", "redirect_uris: at least one is required"},
		{"web redirect over http (the built-in rules)", docURL + "?webhttp", "redirect_uris: the URI at index 0"},
		{"not an object", docURL + "?array", "must be a JSON object"},
		{"a grant needing a secret", docURL + "?cc", "grant_types"},
		{"fetch failed", other, "HTTP status 404"},
		{"http URL", "http://app.example.com/client.json", "https scheme"},
		{"no path", "https://app.example.com", "must have a path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.Get(context.Background(), tt.url)
			r := oauth.ClientRefusal(err)
			if r == nil || !strings.Contains(r.Description, tt.want) {
				t.Fatalf("got %v, want invalid_client containing %q", err, tt.want)
			}
			if !errors.Is(err, oauth.ErrClientNotFound) || !errors.Is(err, registration.ErrMetadataDocument) {
				t.Errorf("%v does not wrap ErrClientNotFound and ErrMetadataDocument", err)
			}
		})
	}
}

// TestDocumentPolicy: validate_registration sees operation metadata_document and the client_id URL, and may
// refuse by origin or patch; a patch cannot give the client a secret.
func TestDocumentPolicy(t *testing.T) {
	const byOrigin = `return {abi = 1, validate_registration = function(req)
  if req.operation ~= "metadata_document" then return {decision = "accept"} end
  local u = assentry.url.parse(req.client_id)
  if u.host ~= "app.example.com" then
    return {decision = "reject", error = "invalid_client_metadata", error_description = "clients from " .. u.host .. " are not accepted"}
  end
  if req.metadata.client_name == "Patch" then return {decision = "accept", metadata_patch = {token_endpoint_auth_method = "client_secret_basic"}} end
  return {decision = "accept", metadata_patch = {client_name = req.metadata.client_name .. " (via " .. u.host .. ")"}}
end}`
	const evil = "https://evil.example/client.json"
	docs := fakeFetcher{docURL: docBody(``),
		evil:              `{"client_id":"` + evil + `","client_name":"Evil","client_uri":"https://evil.example/","redirect_uris":["http://127.0.0.1/cb"]}`,
		docURL + "?patch": `{"client_id":"` + docURL + `?patch","client_name":"Patch","client_uri":"https://app.example.com/","redirect_uris":["http://127.0.0.1/cb"]}`,
	}
	d := newDocuments(t, docs, byOrigin)
	c, err := d.Get(context.Background(), docURL)
	if err != nil || c.Name != "App (via app.example.com)" {
		t.Fatalf("accepted: %+v, %v", c, err)
	}
	if _, err := d.Get(context.Background(), evil); oauth.ClientRefusal(err) == nil ||
		!strings.Contains(err.Error(), "clients from evil.example are not accepted") {
		t.Fatalf("refused by origin: %v", err)
	}
	if _, err := d.Get(context.Background(), docURL+"?patch"); oauth.ClientRefusal(err) == nil ||
		!strings.Contains(err.Error(), "must be none") {
		t.Fatalf("a patch giving a secret: %v", err)
	}
}

// TestCheckDocumentURL: draft-ietf-oauth-client-id-metadata-document §3's rules on the client_id URL.
func TestCheckDocumentURL(t *testing.T) {
	tests := []struct {
		url  string
		want string // "" : valid
	}{
		{"https://app.example.com/oauth/client.json", ""},
		{"https://app.example.com:8443/c?v=1", ""},
		{"http://app.example.com/client.json", "https scheme"},
		{"HTTPS://app.example.com/client.json", "https scheme"},
		{"https://app.example.com", "must have a path"},
		{"https://app.example.com/", "must have a path"},
		{"https://app.example.com/client.json#x", "fragment"},
		{"https://user:pw@app.example.com/client.json", "username or password"},
		{"https://user@app.example.com/client.json", "username or password"},
		{"https://app.example.com/a/../client.json", ". or .. path segments"},
		{"https://app.example.com/./client.json", ". or .. path segments"},
		{"https://app.example.com/a/%2E%2E/client.json", ". or .. path segments"},
		{"https:///client.json", "no host"},
		{"https://app.example.com/" + strings.Repeat("a", registration.MaxDocumentURLLen), "over 2048 bytes"},
	}
	for _, tt := range tests {
		_, err := registration.CheckDocumentURL(tt.url)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.url, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: got %v, want %q", tt.url, err, tt.want)
		}
	}
}
