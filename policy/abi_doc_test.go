package policy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/assentry/assentry/policy"
	"github.com/assentry/assentry/policy/cases"
)

// exampleRE finds the examples of docs/policy-abi.md: a fenced json block after a marker naming what it shows,
// `<!-- example: HOOK input|output -->` (HOOK may be init, or error for a declared error).
var exampleRE = regexp.MustCompile("(?s)<!-- example: (\\w+) (input|output) -->\\s*```json\\n(.*?)```")

// strict decodes data into v with unknown members refused: an example may not show a member the host does not
// send or read.
func strict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Every hook of docs/policy-abi.md has an input and an output example, and each decodes into the Go type the
// host uses, with no member the type lacks; each output passes the host's checks of a decision.
func TestABIDocExamples(t *testing.T) {
	doc, err := os.ReadFile("../docs/policy-abi.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	decisions := map[string]bool{}
	for _, m := range exampleRE.FindAllSubmatch(doc, -1) {
		hook, kind, body := string(m[1]), string(m[2]), m[3]
		seen[hook+" "+kind] = true
		t.Run(hook+" "+kind, func(t *testing.T) {
			switch {
			case hook == "error":
				var v struct{ Error policy.PluginError }
				if err := strict(body, &v); err != nil {
					t.Fatalf("%v\n%s", err, body)
				}
				if _, pe, err := policy.DecodeOutput(policy.HookScopePolicy, body); pe == nil || err != nil {
					t.Fatalf("not a declared error: (%v, %v)\n%s", pe, err, body)
				}
			case hook == "init":
				var v struct {
					ABI    int    `json:"abi"`
					Hook   string `json:"hook"`
					Host   string `json:"host"`
					Plugin struct {
						Name string `json:"name"`
					} `json:"plugin"`
					Config map[string]any `json:"config"`
				}
				if err := strict(body, &v); err != nil || v.ABI != policy.ABIVersion || v.Hook != "init" {
					t.Fatalf("(%+v, %v)\n%s", v, err, body)
				}
			case policy.HookIndex(hook) < 0:
				t.Fatalf("%q is not a hook", hook)
			case kind == "input":
				in := policy.NewInput(hook)
				if err := strict(body, in); err != nil {
					t.Fatalf("%v\n%s", err, body)
				}
				var env policy.Envelope
				_ = json.Unmarshal(body, &env)
				if env.ABI != policy.ABIVersion || env.Hook != hook || env.Host == "" || env.Now == 0 {
					t.Fatalf("the envelope is incomplete: %+v", env)
				}
			default:
				if err := strict(body, policy.NewOutput(hook)); err != nil {
					t.Fatalf("%v\n%s", err, body)
				}
				dec, pe, err := policy.DecodeOutput(hook, body)
				if err != nil || pe != nil {
					t.Fatalf("not a decision: (%v, %v)\n%s", pe, err, body)
				}
				switch d := dec.(type) {
				case *policy.ValidateRegistrationOutput:
					decisions[d.Decision] = true
				case *policy.ConsentOutput:
					decisions[d.Decision] = true
				}
			}
		})
	}
	for _, h := range append([]string{"init input", "error output"}, hooksBoth()...) {
		if !seen[h] {
			t.Errorf("docs/policy-abi.md has no example of the %s", h)
		}
	}
	for _, d := range []string{policy.DecisionAccept, policy.DecisionReject, policy.DecisionApprove, policy.DecisionDeny,
		policy.DecisionAsk} {
		if !decisions[d] {
			t.Errorf("docs/policy-abi.md has no example of the decision %s", d)
		}
	}
}

func hooksBoth() []string {
	var out []string
	for _, h := range policy.Hooks {
		out = append(out, h+" input", h+" output")
	}
	return out
}

// The cases file example of docs/policy-abi.md ("Operator tools") is the format package cases reads.
func TestABIDocCasesExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/policy-abi.md")
	if err != nil {
		t.Fatal(err)
	}
	_, tools, _ := strings.Cut(string(doc), "\n## Operator tools\n")
	_, block, ok := strings.Cut(tools, "```json\n")
	if !ok {
		t.Fatal(`no json block in "Operator tools"`)
	}
	block, _, _ = strings.Cut(block, "```")
	var f cases.File
	if err := strict([]byte(block), &f); err != nil {
		t.Fatalf("%v\n%s", err, block)
	}
	for i, c := range f.Cases {
		if c.Hook != "" && !slices.Contains(policy.Hooks, c.Hook) {
			t.Errorf("case %d: hook %q", i, c.Hook)
		}
		if len(c.Want) > 0 {
			if _, err := cases.Canonical(c.Hook, c.Want); err != nil {
				t.Errorf("case %d: %v", i, err)
			}
		}
	}
}
