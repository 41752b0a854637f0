package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/assentry/assentry/themes"
)

// form is a <form> of a rendered page and the named controls inside it.
type form struct {
	method, action string
	fields         []field
}

type field struct {
	tag, name, value, typ, autocomplete string
}

// forms collects the forms of a rendered page.
func forms(html string) []form {
	var out []form
	var cur *form
	for _, t := range scan(html) {
		switch t.name {
		case "form":
			method, _ := t.get("method")
			action, _ := t.get("action")
			out = append(out, form{method: strings.ToLower(method), action: action})
			cur = &out[len(out)-1]
		case "/form":
			cur = nil
		case "input", "button", "select", "textarea":
			if cur == nil {
				continue
			}
			f := field{tag: t.name}
			f.name, _ = t.get("name")
			f.value, _ = t.get("value")
			f.typ, _ = t.get("type")
			f.autocomplete, _ = t.get("autocomplete")
			f.typ = strings.ToLower(f.typ)
			if f.typ == "" && t.name == "button" {
				f.typ = "submit"
			}
			cur.fields = append(cur.fields, f)
		}
	}
	return out
}

// has returns the index of the first field of the form matching name (and value and type, when not empty).
func (f form) has(name, value, typ string) int {
	return slices.IndexFunc(f.fields, func(x field) bool {
		return x.name == name && (value == "" || x.value == value) && (typ == "" || x.typ == typ)
	})
}

// requirement is a field a page's form must send back (themes/README.md, "Form fields the server reads").
type requirement struct {
	name, value, typ string
	hint             string
}

// requirements lists, per page the server reads a form of, the fields of the form as rendered with the page's
// "every field set" sample, where the CSRF value is "sample" and the interaction id "sample-interaction".
func requirements(page string) []requirement {
	csrf := requirement{"csrf_token", "sample", "hidden", `the CSRF field: {{template "_csrf.html" .}}`}
	interaction := requirement{"interaction", "sample-interaction", "hidden", `the interaction id: {{template "_interaction.html" .}}`}
	switch page {
	case themes.PageLogin:
		return []requirement{csrf, interaction,
			{"username", "", "", `<input name="username" autocomplete="username">`},
			{"password", "", "password", `<input name="password" type="password" autocomplete="current-password">`}}
	case themes.PageConsent:
		return []requirement{csrf, interaction,
			// openid is a fixed scope (.Fixed), which may be shown as text: the server grants it on Allow.
			{"scope", "email", "checkbox", `one checkbox per scope that can be declined (not .Fixed): <input type="checkbox" name="scope" value="{{.Name}}">`},
			{"consent", "granted", "submit", `<button name="consent" value="granted">`},
			{"consent", "denied", "submit", `<button name="consent" value="denied">`}}
	case themes.PageDevice:
		return []requirement{csrf, {"user_code", "", "", `<input name="user_code">`}}
	case themes.PageLogout:
		return []requirement{csrf,
			{"post_logout_redirect_uri", "https://app.example.com/", "hidden", "the hidden fields carried from .Extra"},
			{"state", "sample", "hidden", "the hidden fields carried from .Extra"},
			{"client_id", "client-1", "hidden", "the hidden fields carried from .Extra"}}
	case themes.PageSignedIn:
		return []requirement{csrf}
	}
	return nil
}

// checkForms renders a page with every field set and reports each field the server reads that no POST form of the
// page sends. file and line locate the page's source (its first <form>, when it has one).
func checkForms(t *themes.Theme, page, base, file string, line int) []Problem {
	reqs := requirements(base)
	if reqs == nil {
		return nil
	}
	var b strings.Builder
	var full *themes.Page
	for _, s := range themes.States(base) {
		if s.Name == themes.StateAllFields {
			full = s.Page
		}
	}
	if err := t.Render(&b, page, full); err != nil {
		return []Problem{{File: file, Msg: err.Error()}}
	}
	var posts []form
	for _, f := range forms(b.String()) {
		if f.method == "post" {
			posts = append(posts, f)
		}
	}
	if len(posts) == 0 {
		return []Problem{{File: file, Line: line, Msg: fmt.Sprintf("page %s has no <form method=\"post\">: the server reads its fields from one", page)}}
	}
	var out []Problem
	for _, r := range reqs {
		found := false
		for _, f := range posts {
			if i := f.has(r.name, r.value, r.typ); i >= 0 {
				found = true
				out = append(out, fieldHints(page, file, line, r, f.fields[i])...)
			}
		}
		if !found {
			desc := "name=\"" + r.name + "\""
			if r.value != "" && r.typ != "hidden" {
				desc += " value=\"" + r.value + "\""
			}
			out = append(out, Problem{File: file, Line: line,
				Msg: fmt.Sprintf("page %s: no form sends the field %s, which the server reads: keep %s", page, desc, r.hint)})
		}
	}
	if base == themes.PageConsent {
		for _, f := range posts {
			g, d := f.has("consent", "granted", ""), f.has("consent", "denied", "")
			if g >= 0 && d >= 0 && d < g {
				out = append(out, Problem{File: file, Line: line, Msg: "page " + page +
					": the denied button comes before the granted one; Enter presses the first submit button"})
			}
		}
	}
	return out
}

// fieldHints reports the autocomplete tokens password managers rely on.
func fieldHints(page, file string, line int, r requirement, f field) []Problem {
	want := map[string]string{"username": "username", "password": "current-password"}[r.name]
	if want == "" || strings.Contains(" "+f.autocomplete+" ", " "+want+" ") {
		return nil
	}
	return []Problem{{File: file, Line: line, Msg: fmt.Sprintf("page %s: the %s field lacks autocomplete=%q (password managers and browsers rely on it)", page, r.name, want)}}
}
