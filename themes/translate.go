package themes

import (
	"cmp"
	"fmt"
	"slices"
)

// translate returns a copy of page name's p for rendering in locale: .Locale set to it, the server's messages
// filled in from the catalog (the error, the consent page's scopes and the account page's applications' scopes,
// .Title and .Return.Text), and .Logo made the hashed URL of its static file. The server names its messages by
// key (Error.Key, Scope.Key) or leaves them to the page (Title, Return.Text) instead of writing English, so a
// theme can reword and translate them (protocol error_description values, sent to clients, stay English).
func (t *Theme) translate(name, locale string, p *Page) (*Page, error) {
	q := *p
	q.Locale = locale
	q.Logo = t.hashedPath(p.Logo)
	if p.Error != nil {
		e, err := t.translateError(locale, *p.Error)
		if err != nil {
			return nil, err
		}
		q.Error = &e
	}
	base := name
	if b := BaseOf(name); b != "" {
		base = b // an extra page (consent-acme) is titled as the page it stands in for
	}
	var err error
	if q.Title, err = t.pageTitle(base, locale, &q); err != nil {
		return nil, err
	}
	if p.Return != nil {
		ret := *p.Return
		if ret.Text, err = t.returnText(base, locale, ret.URL); err != nil {
			return nil, err
		}
		q.Return = &ret
	}
	if q.Scopes, err = t.translateScopes(locale, p.Scopes); err != nil {
		return nil, err
	}
	if p.Account != nil && len(p.Account.Applications) > 0 {
		// The account page names what each application may do with the consent page's words.
		acc := *p.Account
		acc.Applications = slices.Clone(p.Account.Applications)
		for i := range acc.Applications {
			app := &acc.Applications[i]
			if app.Scopes, err = t.translateScopes(locale, app.Scopes); err != nil {
				return nil, err
			}
		}
		q.Account = &acc
	}
	return &q, nil
}

// translateScopes returns a translated copy of scopes (translateScope); nil stays nil.
func (t *Theme) translateScopes(locale string, scopes []Scope) ([]Scope, error) {
	if len(scopes) == 0 {
		return scopes, nil
	}
	out := slices.Clone(scopes)
	for i := range out {
		if err := t.translateScope(locale, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// translateError fills an error's heading and text:
//
//   - Title: error.<code>.title, else error.default.title;
//   - Description: the message Key names (with Args) when set; else error.<code>.text, the code explained in
//     words, or error.default.text for a code the catalog does not explain; the original description (the
//     protocol's English error_description) moves to Detail. So the page's main sentence always comes from the
//     catalog, in the page's language; only the secondary detail may be English.
func (t *Theme) translateError(locale string, e Error) (Error, error) {
	e.Title, _ = t.message(locale, "error."+e.Code+".title")
	if e.Title == "" {
		e.Title, _ = t.message(locale, "error.default.title")
	}
	if e.Key != "" {
		text, ok := t.message(locale, e.Key)
		if !ok {
			return e, fmt.Errorf("message %q is in no catalog", e.Key)
		}
		desc, err := format(text, e.Args)
		if err != nil {
			return e, fmt.Errorf("message %q: %w", e.Key, err)
		}
		e.Description = desc
		return e, nil
	}
	text, ok := t.message(locale, "error."+e.Code+".text")
	if !ok {
		text, _ = t.message(locale, "error.default.text")
	}
	if text == "" { // a theme that emptied error.default.text: the protocol's sentence is all there is
		return e, nil
	}
	if e.Description != text {
		e.Detail = e.Description
	}
	e.Description = text
	return e, nil
}

// translateScope fills a built-in scope's title and description from <Key>.title and <Key>.description; {scope}
// is the scope's name (role scopes say which role).
func (t *Theme) translateScope(locale string, s *Scope) error {
	if s.Key == "" {
		return nil
	}
	for _, f := range []struct {
		suffix string
		dst    *string
	}{{".title", &s.Title}, {".description", &s.Description}} {
		text, ok := t.message(locale, s.Key+f.suffix)
		if !ok {
			continue
		}
		out, err := format(text, []any{"scope", s.Name})
		if err != nil {
			return err
		}
		*f.dst = out
	}
	return nil
}

// pageTitle is .Title in locale: the page's heading as the default theme words it, <page>.title of the catalog
// (with {client} and {site}); on the error page the error's title, on device_done the approved or denied one, on
// logout's signed-out state logout.done_title. A page the catalog has no title for (an extra page of its own
// name) keeps what the server set.
func (t *Theme) pageTitle(base, locale string, q *Page) (string, error) {
	key := base + ".title"
	switch base {
	case PageError:
		if q.Error != nil {
			return q.Error.Title, nil
		}
		key = "error.default.title"
	case PageLogout:
		if done, _ := q.Extra["done"].(bool); done && q.User == nil {
			key = "logout.done_title"
		}
	case PageDeviceDone:
		key = "device_done.denied_title"
		if q.Approved {
			key = "device_done.approved_title"
		}
	}
	text, ok := t.message(locale, key)
	if !ok {
		return q.Title, nil
	}
	return format(text, []any{"client", clientName(q.Client), "site", cmp.Or(q.SiteName, q.Host)})
}

// returnKeys are the catalog messages that label a page's .Return link ({host}: where it leads); any other page
// uses error.return_to.
var returnKeys = map[string]string{PageSignedIn: "signed_in.continue_to", PageLogout: "logout.return_to"}

// returnText is .Return.Text in locale: the way back named by the host it leads to, never by a name the client
// chose (RFC 9700 §4.11.2).
func (t *Theme) returnText(base, locale, url string) (string, error) {
	key := cmp.Or(returnKeys[base], "error.return_to")
	text, ok := t.message(locale, key)
	if !ok {
		return "", fmt.Errorf("message %q is in no catalog", key)
	}
	return format(text, []any{"host", hostOf(url)})
}
