package themes

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// apiOnlyCodes are the OAuth error codes of core/oauth that only the JSON endpoints answer, never a page: every
// other code must be explained by every shipped catalog. A new code constant fails TestPageErrorCodesExplained
// until it has catalog entries or is listed here with the reason.
var apiOnlyCodes = map[string]string{
	"unsupported_grant_type":  "token endpoint",
	"invalid_token":           "bearer token errors of the resource endpoints, registration",
	"insufficient_scope":      "bearer token errors of the resource endpoints",
	"invalid_client_metadata": "dynamic client registration",
	"authorization_pending":   "device token polling",
	"slow_down":               "device token polling",
	"expired_token":           "device token polling",
	"invalid_dpop_proof":      "token endpoint (DPoP)",
	"use_dpop_nonce":          "token endpoint (DPoP)",
}

// fiberStatuses are the fiber errors the HTTP layer returns (fiber.ErrX), answered on a page as oauth.HTTPStatus.
var fiberStatuses = map[string]int{
	"NotFound":              http.StatusNotFound,
	"MethodNotAllowed":      http.StatusMethodNotAllowed,
	"RequestEntityTooLarge": http.StatusRequestEntityTooLarge,
}

// constants returns the string constants of a package directory whose names start with prefix; a value naming
// another package's constant (dpop.CodeInvalidProof) is looked up in others.
func constants(t *testing.T, dir, prefix string, others map[string]map[string]string) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no Go files (%v)", dir, err)
	}
	out := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range file.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, prefix) || i >= len(vs.Values) {
						continue
					}
					switch v := vs.Values[i].(type) {
					case *ast.BasicLit:
						if s, err := strconv.Unquote(v.Value); err == nil && v.Kind == token.STRING {
							out[name.Name] = s
						}
					case *ast.SelectorExpr:
						pkg, _ := v.X.(*ast.Ident)
						s, ok := others[pkg.Name][v.Sel.Name]
						if !ok {
							t.Fatalf("%s: %s = %s.%s: unknown constant", f, name.Name, pkg.Name, v.Sel.Name)
						}
						out[name.Name] = s
					default:
						t.Fatalf("%s: %s: cannot evaluate its value", f, name.Name)
					}
				}
			}
		}
	}
	return out
}

// sourceMatches returns the first group of every match of re in the non-test Go files of dir.
func sourceMatches(t *testing.T, dir string, re *regexp.Regexp) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			out = append(out, m[1])
		}
	}
	return out
}

// pageErrorCodes enumerates, from the server's source, every error code a page can show: core/oauth's code
// constants (but apiOnlyCodes), the HTTP layer's fiber errors and the codes core/interaction writes itself.
func pageErrorCodes(t *testing.T) []string {
	t.Helper()
	core := filepath.Join("..", "core")
	dpop := constants(t, filepath.Join(core, "dpop"), "Code", nil)
	oauth := constants(t, filepath.Join(core, "oauth"), "Code", map[string]map[string]string{"dpop": dpop})
	if len(oauth) < 20 {
		t.Fatalf("only %d code constants in core/oauth: %v", len(oauth), oauth)
	}
	codes := map[string]bool{}
	for _, c := range oauth {
		if _, ok := apiOnlyCodes[c]; !ok {
			codes[c] = true
		}
	}
	snake := func(status int) string { return strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_")) }
	// fiber's body limit answers 413 before any handler runs.
	codes[snake(http.StatusRequestEntityTooLarge)] = true
	for _, name := range sourceMatches(t, filepath.Join(core, "httpapi"), regexp.MustCompile(`fiber\.Err([A-Z]\w*)`)) {
		status, ok := fiberStatuses[name]
		if !ok {
			t.Fatalf("core/httpapi returns fiber.Err%s: add its status to fiberStatuses", name)
		}
		codes[snake(status)] = true
	}
	// A code written as a literal: a page's Error{Code: "..."}, or the code before a message key.
	for _, re := range []string{`Code:\s*"([a-z_]+)"`, `"([a-z_]+)",\s*themes\.Msg`} {
		for _, c := range sourceMatches(t, filepath.Join(core, "interaction"), regexp.MustCompile(re)) {
			codes[c] = true
		}
	}
	return slices.Sorted(maps.Keys(codes))
}

// TestPageErrorCodesExplained: every error code the server can show on a page (pageErrorCodes, enumerated from
// the source) has error.<code>.title and .text in every shipped catalog, so an error page's heading and main
// sentence are never the protocol's English error_description: the default theme's English and German and the
// example theme's three languages.
func TestPageErrorCodesExplained(t *testing.T) {
	codes := pageErrorCodes(t)
	for _, want := range []string{"login_required", "consent_required", "request_not_supported",
		"request_uri_not_supported", "invalid_target", "not_found", "method_not_allowed", "temporarily_unavailable"} {
		if !slices.Contains(codes, want) {
			t.Fatalf("pageErrorCodes lacks %s: %v", want, codes)
		}
	}
	for _, th := range []struct{ name, dir string }{{"default", ""}, {"aurora", "../examples/themes/aurora"}} {
		theme := mustLoad(t, th.dir)
		for _, locale := range theme.Locales() {
			for _, code := range append(codes, "default") {
				for _, part := range []string{".title", ".text"} {
					key := "error." + code + part
					if theme.catalogs[locale][key] == "" {
						t.Errorf("%s theme, %s: %s is missing", th.name, locale, key)
					}
				}
			}
		}
	}
}
