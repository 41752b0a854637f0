package guest

import (
	"strings"
	"testing"
)

// TestServeValidateRegistrationMetadataDocument: the input of a metadata document client reaches the guest's
// function with its operation and client_id (docs/policy-abi.md, validate_registration).
func TestServeValidateRegistrationMetadataDocument(t *testing.T) {
	in := `{"abi": 1, "hook": "validate_registration", "request_id": "r1", "now": 1767225600, "host": "example",
	 "operation": "metadata_document", "client_id": "https://app.example.com/oauth/client.json",
	 "metadata": {"client_name": "App"}, "auth": {"kind": "anonymous"}, "request": {"remote_addr": "", "user_agent": ""}}`
	var got ValidateRegistrationInput
	var name string
	out := ServeValidateRegistration([]byte(in), func(r *ValidateRegistrationInput) (*ValidateRegistrationOutput, error) {
		got, name = *r, r.Metadata.Get("client_name").Str() // the input is valid only during the call
		return &ValidateRegistrationOutput{Decision: "reject", Error: "invalid_client_metadata", ErrorDescription: r.ClientID}, nil
	})
	if got.Operation != "metadata_document" || got.ClientID != "https://app.example.com/oauth/client.json" || name != "App" {
		t.Fatalf("input: %+v", got)
	}
	if !strings.Contains(string(out), `"error_description":"https://app.example.com/oauth/client.json"`) {
		t.Fatalf("output: %s", out)
	}
}
