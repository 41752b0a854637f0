package watch

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testlog"
	"github.com/assentry/assentry/themes"
)

const page = `{{template "layout.html" .}}{{define "content"}}<p>%s</p>{{end}}`

// start loads dir, watches it and returns the live theme, the log and a channel of reload results.
func start(t *testing.T, dir string) (*themes.Live, *testlog.Buffer, chan error) {
	t.Helper()
	th, err := themes.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	live := themes.NewLive(th)
	logs := &testlog.Buffer{}
	results := make(chan error, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done, err := Start(ctx, dir, live, Options{Debounce: 20 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(logs, nil)), Attrs: []any{"host", "h1"},
		Reloaded: func(_ *themes.Theme, err error) { results <- err }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); <-done })
	return live, logs, results
}

// replace writes a file the way editors save: a temporary file renamed over the original.
func replace(t *testing.T, path, content string) {
	t.Helper()
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// next waits for the next reload (generous deadline: the test never depends on the debounce's length).
func next(t *testing.T, results chan error) error {
	t.Helper()
	select {
	case err := <-results:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("no reload")
		return nil
	}
}

func rendered(t *testing.T, live *themes.Live, name string) string {
	t.Helper()
	var b strings.Builder
	p := &themes.Page{SiteName: "S", Host: "h", Locale: "en", Action: "/login", CSRF: themes.CSRF{Field: "f", Value: "v"}}
	if err := live.Render(&b, name, p); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestReloadsChangedFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "extra.html"), []byte(strings.Replace(page, "%s", "one", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	live, logs, results := start(t, dir)

	// An editor's rename-replace of a template.
	replace(t, filepath.Join(dir, "extra.html"), strings.Replace(page, "%s", "two", 1))
	if err := next(t, results); err != nil {
		t.Fatal(err)
	}
	if got := rendered(t, live, "extra"); !strings.Contains(got, "<p>two</p>") {
		t.Fatalf("after the change: %s", got)
	}

	// A static directory created after the start, then a file in a subdirectory of it.
	if err := os.MkdirAll(filepath.Join(dir, "static", "img"), 0o755); err != nil {
		t.Fatal(err)
	}
	for {
		if err := next(t, results); err != nil {
			t.Fatal(err)
		}
		// The creation of static/img may be seen before img is watched: write until the file is seen.
		if err := os.WriteFile(filepath.Join(dir, "static", "img", "logo.svg"), []byte("<svg/>"), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := live.Load().StaticURL("img/logo.svg"); err == nil {
			break
		}
	}
	before, _ := live.Load().StaticURL("img/logo.svg")
	replace(t, filepath.Join(dir, "static", "img", "logo.svg"), "<svg></svg>")
	for {
		if err := next(t, results); err != nil {
			t.Fatal(err)
		}
		if after, _ := live.Load().StaticURL("img/logo.svg"); after != before {
			break
		}
	}
	if !strings.Contains(logs.String(), "theme reloaded") || !strings.Contains(logs.String(), "host=h1") {
		t.Fatalf("log: %s", logs)
	}
}

func TestBrokenVersionKeepsThePrevious(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "extra.html"), []byte(strings.Replace(page, "%s", "good", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	live, logs, results := start(t, dir)
	good := live.Load()

	replace(t, filepath.Join(dir, "extra.html"), "{{template \"layout.html\" .}}\n{{define \"content\"}}{{.Nope}{{end}}")
	replace(t, filepath.Join(dir, "other.html"), "{{if}}")
	var err error
	for err == nil || !strings.Contains(logs.String(), "other.html") {
		err = next(t, results)
	}
	if live.Load() != good || !strings.Contains(rendered(t, live, "extra"), "<p>good</p>") {
		t.Fatal("a broken version replaced the good one")
	}
	// Every broken file is logged, with its line and column, as the load-time check reports it.
	for _, want := range []string{"theme reload failed; the previous version stays", "extra.html:2:", "other.html:1:", "host=h1"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs)
		}
	}

	// Hidden files (an editor's swap file) do not trigger a reload; fixing the file does.
	if err := os.WriteFile(filepath.Join(dir, ".extra.html.swp"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "other.html")); err != nil {
		t.Fatal(err)
	}
	replace(t, filepath.Join(dir, "extra.html"), strings.Replace(page, "%s", "fixed", 1))
	for next(t, results) != nil {
	}
	if !strings.Contains(rendered(t, live, "extra"), "<p>fixed</p>") {
		t.Fatal("the fixed version was not swapped in")
	}
}

// TestConfigMapSwap: a Kubernetes ConfigMap volume links every file through "..data" and updates them by swapping
// that link; the watch sees the swap.
func TestConfigMapSwap(t *testing.T) {
	dir := t.TempDir()
	for _, v := range []string{"..v1", "..v2"} {
		if err := os.Mkdir(filepath.Join(dir, v), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, v, "extra.html"), []byte(strings.Replace(page, "%s", v[2:], 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("..v1", filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("..data/extra.html", filepath.Join(dir, "extra.html")); err != nil {
		t.Fatal(err)
	}
	live, _, results := start(t, dir)
	if !strings.Contains(rendered(t, live, "extra"), "<p>v1</p>") {
		t.Fatal("the first version did not load")
	}
	// As the kubelet does: a new link, renamed over ..data.
	if err := os.Symlink("..v2", filepath.Join(dir, "..data_tmp")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")); err != nil {
		t.Fatal(err)
	}
	for !strings.Contains(rendered(t, live, "extra"), "<p>v2</p>") {
		if err := next(t, results); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReloadsCatalogs: a catalog edited in place, one replaced by a rename, and a new language reload the theme;
// so does messages/ created after the start. The new language is one of Locales(), what discovery advertises.
func TestReloadsCatalogs(t *testing.T) {
	dir := t.TempDir()
	login := func(live *themes.Live, locale string) string {
		t.Helper()
		var b strings.Builder
		p := &themes.Page{SiteName: "S", Host: "h", Locale: locale, Action: "/login", CSRF: themes.CSRF{Field: "f", Value: "v"}}
		if err := live.Render(&b, themes.PageLogin, p); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	live, _, results := start(t, dir)
	until := func(what string, ok func() bool) {
		t.Helper()
		for !ok() {
			if err := next(t, results); err != nil {
				t.Fatalf("%s: %v", what, err)
			}
		}
	}

	// messages/ created after the start, with a catalog written in place.
	if err := os.Mkdir(filepath.Join(dir, "messages"), 0o755); err != nil {
		t.Fatal(err)
	}
	fr := filepath.Join(dir, "messages", "fr.json")
	until("messages/ created", func() bool {
		if err := os.WriteFile(fr, []byte(`{"login.title": "Connexion"}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return strings.Contains(login(live, "fr"), "<h1>Connexion</h1>")
	})

	// Edited in place (an editor writing the file itself).
	if err := os.WriteFile(fr, []byte(`{"login.title": "Identification"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	until("fr.json edited in place", func() bool { return strings.Contains(login(live, "fr"), "<h1>Identification</h1>") })

	// Replaced by a rename, as most editors save.
	replace(t, fr, `{"login.title": "Se connecter"}`)
	until("fr.json renamed over", func() bool { return strings.Contains(login(live, "fr"), "<h1>Se connecter</h1>") })

	// A new language.
	replace(t, filepath.Join(dir, "messages", "es.json"), `{"login.title": "Iniciar sesión"}`)
	until("es.json added", func() bool { return strings.Join(live.Locales(), " ") == "en de es fr" })
	if got := login(live, "es"); !strings.Contains(got, "<h1>Iniciar sesión</h1>") {
		t.Fatalf("es login:\n%s", got)
	}

}
