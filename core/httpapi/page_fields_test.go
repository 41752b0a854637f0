package httpapi

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assentry/assentry/core/account"
	"github.com/assentry/assentry/themes"
)

// TestPageFieldsTranslated: a custom theme that shows the documented .Title and .Return.Text (the default theme
// words them itself) gets them in the page's language, never English the server wrote: the account page of a
// German user and the error page of an untrusted client's request shown in German.
func TestPageFieldsTranslated(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	fields := `{{template "layout.html" .}}{{define "content"}}<p id="title">{{.Title}}</p>` +
		`{{with .Return}}<p id="return">{{.Text}}</p>{{end}}{{end}}`
	for _, name := range []string{"account.html", "error.html"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(fields), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	th, err := themes.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	e.host.Theme.Store(th)
	if _, err := e.users.Add(context.Background(), account.NewUser{Username: "berta", Password: "correct horse battery",
		Locale: "de"}); err != nil {
		t.Fatal(err)
	}
	web, _, untrusted := e.flowClients()
	has := func(t *testing.T, p page, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(p.body, w) {
				t.Fatalf("page (%d) lacks %q:\n%s", p.status, w, p.body)
			}
		}
	}

	t.Run("error page", func(t *testing.T) {
		p := e.browser().getLang(authzQuery(untrusted, "https://stranger.example.net/cb", "openid", "request", "abc"), "de")
		has(t, p, `<html lang="de">`, `<p id="title">Anfrage nicht unterstützt</p>`,
			`<p id="return">Zurück zu stranger.example.net</p>`)
	})
	t.Run("account page", func(t *testing.T) {
		b := e.browser()
		login := b.followLang(b.getLang(authzQuery(web, webRedirect, "openid"), "de"), "de")
		b.loginAt(login, "berta", "correct horse battery")
		has(t, b.getLang("/account", "de"), `<html lang="de">`, `<p id="title">Ihr Konto</p>`)
	})
}
