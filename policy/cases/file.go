package cases

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// File is a plugin's cases file (docs/policy-abi.md "Operator tools"):
//
//	{
//	  "config": {"allowed_domains": ["example.com"]},  // the plugin's config for every case (optional)
//	  "cases": [
//	    {"name": "allowed", "hook": "validate_registration", "input": {...}, "want": {"decision": "accept"}},
//	    {"name": "bad config", "config": {}, "want_load_error": "allowed_domains"},
//	    {"name": "loops", "hook": "consent", "input": {...}, "want_failure": "deadline"}
//	  ]
//	}
type File struct {
	Config map[string]any `json:"config"`
	Cases  []Case         `json:"cases"`
}

// Case is one call of a hook, or one load. The input gets the envelope members it leaves out; the answer is
// compared with want after both are decoded into the hook's Go type.
type Case struct {
	Name          string          `json:"name"`
	Config        map[string]any  `json:"config,omitempty"` // replaces the file's config
	Hook          string          `json:"hook"`
	Input         json.RawMessage `json:"input"`
	Want          json.RawMessage `json:"want,omitempty"`            // the decision, or {"error": {...}}
	WantFailure   string          `json:"want_failure,omitempty"`    // a policy.Fail* kind
	WantLoadError string          `json:"want_load_error,omitempty"` // a substring of the load error
}

// Read reads and decodes a cases file.
func Read(path string) (*File, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(f.Cases) == 0 {
		return nil, fmt.Errorf("%s: no cases", path)
	}
	return &f, nil
}

// CaseName is the name of the i-th case (0-based): its name, or "case N".
func (f *File) CaseName(i int) string {
	if n := f.Cases[i].Name; n != "" {
		return n
	}
	return "case " + strconv.Itoa(i+1)
}

// ConfigOf is the config the i-th case loads the plugin with: its own, or the file's.
func (f *File) ConfigOf(i int) map[string]any {
	if c := f.Cases[i].Config; c != nil {
		return c
	}
	return f.Config
}
