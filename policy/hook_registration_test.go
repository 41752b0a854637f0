package policy

import (
	"context"
	"errors"
	"reflect"
	"testing"
)

func TestValidateRegistration(t *testing.T) {
	accept := func(patch string) *fake {
		return answer(HookValidateRegistration, `{"decision":"accept","metadata_patch":`+patch+`}`)
	}
	tests := []struct {
		name     string
		builtin  Builtin
		plugins  []*fake
		want     ValidateRegistrationOutput
		wantErr  bool
		notAfter int
	}{
		{name: "nothing configured", want: ValidateRegistrationOutput{Decision: DecisionAccept}},
		{name: "patches apply in order; host-owned members ignored; null removes",
			plugins: []*fake{accept(`{"client_name":"A","logo_uri":"https://x/l.png","client_id":"evil","client_secret":"s","client_id_issued_at":1,"client_secret_expires_at":0}`),
				accept(`{"client_name":"B","tos_uri":null}`)},
			want: ValidateRegistrationOutput{Decision: DecisionAccept, MetadataPatch: map[string]any{
				"client_name": "B", "logo_uri": "https://x/l.png", "tos_uri": nil}}},
		{name: "the first reject wins",
			plugins: []*fake{accept(`{"client_name":"A"}`),
				answer(HookValidateRegistration, `{"decision":"reject","error":"invalid_redirect_uri","error_description":"no"}`),
				answer(HookValidateRegistration, `{"decision":"reject","error":"invalid_client_metadata"}`)},
			want:     ValidateRegistrationOutput{Decision: DecisionReject, Error: "invalid_redirect_uri", ErrorDescription: "no", DecidedBy: "p2"},
			notAfter: 3},
		{name: "a reject without a code gets invalid_client_metadata",
			plugins: []*fake{answer(HookValidateRegistration, `{"decision":"reject"}`)},
			want:    ValidateRegistrationOutput{Decision: DecisionReject, Error: "invalid_client_metadata", DecidedBy: "p1"}},
		{name: "builtin reject first", builtin: Builtin{ValidateRegistration: func(context.Context, *ValidateRegistrationInput) (*ValidateRegistrationOutput, error) {
			return &ValidateRegistrationOutput{Decision: DecisionReject, Error: "invalid_redirect_uri"}, nil
		}}, plugins: []*fake{accept(`{}`)}, want: ValidateRegistrationOutput{Decision: DecisionReject, Error: "invalid_redirect_uri", DecidedBy: DecidedByBuiltin}, notAfter: 1},
		{name: "an unknown error code is a wrong shape",
			plugins: []*fake{answer(HookValidateRegistration, `{"decision":"reject","error":"nope"}`)}, wantErr: true},
		{name: "an unknown decision is a wrong shape",
			plugins: []*fake{answer(HookValidateRegistration, `{"decision":"maybe"}`)}, wantErr: true},
		{name: "garbage", plugins: []*fake{answer(HookValidateRegistration, `not json`)}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l logs
			opts := testOptions(&l)
			opts.Builtin = tt.builtin
			c := chainOf(t, opts, "", tt.plugins...)
			in := &ValidateRegistrationInput{Operation: "register", Metadata: map[string]any{"client_name": "orig", "tos_uri": "https://x/tos"}}
			out, err := c.ValidateRegistration(context.Background(), in)
			if tt.wantErr {
				if !IsFailClosed(err) || !IsFailure(err, FailOutput) {
					t.Fatalf("got (%+v, %v), want a fail-closed invalid_output", out, err)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(*out, tt.want) {
				t.Fatalf("got (%+v, %v), want %+v", out, err, tt.want)
			}
			if tt.notAfter > 0 && tt.plugins[tt.notAfter-1].calls() != 0 {
				t.Fatal("a plugin after the reject ran")
			}
			if in.Metadata["client_name"] != "orig" {
				t.Fatal("the caller's metadata was modified")
			}
		})
	}
}

// The second plugin sees the metadata as patched by the first.
func TestValidateRegistrationSeesPatches(t *testing.T) {
	var l logs
	p2 := answer(HookValidateRegistration, `{"decision":"accept"}`)
	c := chainOf(t, testOptions(&l), "", answer(HookValidateRegistration, `{"decision":"accept","metadata_patch":{"client_name":"A","tos_uri":null}}`), p2)
	if _, err := c.ValidateRegistration(context.Background(), &ValidateRegistrationInput{Metadata: map[string]any{"tos_uri": "t"}}); err != nil {
		t.Fatal(err)
	}
	md := p2.input(0)["metadata"].(map[string]any)
	if md["client_name"] != "A" || md["tos_uri"] != nil {
		t.Fatalf("second plugin saw %v", md)
	}
}

func TestApplyPatch(t *testing.T) {
	md := map[string]any{"client_name": "a", "tos_uri": "t", "client_id": "id"}
	got := ApplyPatch(md, map[string]any{"client_name": "b", "tos_uri": nil, "client_id": "evil", "logo_uri": "l"})
	want := map[string]any{"client_name": "b", "client_id": "id", "logo_uri": "l"}
	if !reflect.DeepEqual(got, want) || md["client_name"] != "a" {
		t.Fatalf("got %v, want %v (and the input unchanged)", got, want)
	}
}

func TestBuiltinErrorPassesThrough(t *testing.T) {
	mine := errors.New("store down")
	var l logs
	opts := testOptions(&l)
	opts.Builtin.ValidateRegistration = func(context.Context, *ValidateRegistrationInput) (*ValidateRegistrationOutput, error) {
		return nil, mine
	}
	c := chainOf(t, opts, "")
	if _, err := c.ValidateRegistration(context.Background(), &ValidateRegistrationInput{}); err != mine {
		t.Fatalf("got %v, want the built-in policy's own error", err)
	}
}
