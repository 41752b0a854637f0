package oauth

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

// TestPushedRequestRecord: what Push keeps and who may read it. The client's secret is not part of the request
// kept (RFC 9126 §2.1: authentication parameters are only for authentication); the record is never a browser's
// interaction, whatever browser asks; and of racing uses of one request_uri exactly one wins (RFC 9126 §4).
func TestPushedRequestRecord(t *testing.T) {
	p, st := newAuthzProvider(t)
	ctx := context.Background()
	_, secret, err := p.Clients.(*Clients).Create(ctx, ClientSpec{ID: "post", Name: "Post", AuthMethod: AuthClientSecretPost,
		RedirectURIs: []string{"https://post.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	form := query("client_id=post&response_type=code&redirect_uri=https://post.example.com/cb&state=s&code_challenge=" +
		testChallenge + "&code_challenge_method=S256&scope=openid")
	form["client_secret"] = secret
	resp, e := p.Push(ctx, &PushRequest{Params: form, Client: CredentialsFrom("", form)})
	if e != nil {
		t.Fatal(e)
	}
	if !IsPushedRequestURI(resp.RequestURI) || resp.ExpiresIn != int64(DefaultPushedRequestTTL.Seconds()) {
		t.Fatalf("push answer: %+v", resp)
	}
	rec, err := st.Interactions().Get(ctx, "h", Digest(resp.RequestURI))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec.Request["client_secret"]; ok || rec.Request["state"] != "s" || rec.ClientID != "post" {
		t.Fatalf("kept request: %+v", rec.Request)
	}
	for _, browser := range []string{"", "any-csrf-cookie"} {
		if _, err := p.LoadInteraction(ctx, Digest(resp.RequestURI), browser); !errors.Is(err, ErrUnknownInteraction) {
			t.Fatalf("LoadInteraction of a pushed request (browser %q): %v", browser, err)
		}
	}

	use := query("client_id=post&request_uri=" + resp.RequestURI)
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := p.ParseAuthorize(ctx, use)
			var se *ShowError
			switch {
			case err == nil && r.State == "s" && r.Client.ID == "post":
				wins.Add(1)
			case !errors.As(err, &se) || se.Err.Description != pushedRequestGone:
				t.Errorf("a losing use: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d uses of one request_uri succeeded, want 1", wins.Load())
	}
}

// TestRequestURIKinds: only this server's URN names a pushed request; any other request_uri (a request object by
// reference) is still request_uri_not_supported, redirected as before.
func TestRequestURIKinds(t *testing.T) {
	for _, tt := range []struct {
		uri  string
		want bool
	}{
		{"urn:ietf:params:oauth:request_uri:abc", true},
		{"https://client.example.com/request.jwt", false},
		{"urn:ietf:params:oauth:request_uri", false},
		{"", false},
	} {
		if got := IsPushedRequestURI(tt.uri); got != tt.want {
			t.Errorf("IsPushedRequestURI(%q) = %v", tt.uri, got)
		}
	}
	p, _ := newAuthzProvider(t)
	_, err := p.ParseAuthorize(context.Background(), query("client_id=web&response_type=code&redirect_uri=https://app.example.com/cb&code_challenge="+
		testChallenge+"&code_challenge_method=S256&request_uri=https://client.example.com/r.jwt"))
	var re *RedirectError
	if !errors.As(err, &re) || re.Err.Code != CodeRequestURINotSupported {
		t.Fatalf("a request_uri by reference: %v", err)
	}
}
