package oauth

import (
	"context"
	"testing"
	"time"

	"github.com/assentry/assentry/internal/testclock"
	"github.com/assentry/assentry/store"
	"github.com/assentry/assentry/store/badger/badgertest"
)

// TestClientCache: a client read is remembered for clientCacheTTL; a change through Clients is seen at once; a
// change made elsewhere (straight in the store: another process) within the TTL at the latest; unknown ids are
// never cached; callers get copies.
func TestClientCache(t *testing.T) {
	clock := testclock.New(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	st := badgertest.New(t, clock.Now)
	ctx := context.Background()
	c := NewClients("h", st.Clients(), ServedGrantTypes, clock.Now)
	cl, _, err := c.Create(ctx, ClientSpec{ID: "app", Name: "App", RedirectURIs: []string{"https://app.example/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, "app")
	if err != nil || got.Name != "App" {
		t.Fatalf("get: %+v %v", got, err)
	}
	got.Name = "changed by a caller"
	if again, _ := c.Get(ctx, "app"); again.Name != "App" {
		t.Fatal("a caller's change reached the cache")
	}
	// Through Clients: at once.
	if _, _, err := c.Update(ctx, "app", ClientSpec{Name: "App 2", RedirectURIs: []string{"https://app.example/cb"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Get(ctx, "app"); got.Name != "App 2" {
		t.Fatalf("after Update: %q", got.Name)
	}
	// Elsewhere: within the TTL.
	other := *cl
	other.Name = "Changed elsewhere"
	if err := st.Clients().Put(ctx, &other); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Get(ctx, "app"); got.Name != "App 2" {
		t.Fatalf("within the TTL the cached client is served, got %q", got.Name)
	}
	clock.Advance(clientCacheTTL)
	if got, _ := c.Get(ctx, "app"); got.Name != "Changed elsewhere" {
		t.Fatalf("after the TTL: %q", got.Name)
	}
	// A deletion through Clients is seen at once; an unknown id is read every time.
	if err := c.Delete(ctx, "app"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "app"); err == nil {
		t.Fatal("a deleted client is still served")
	}
	if err := st.Clients().Create(ctx, &store.Client{ID: "late", Host: "h", Name: "Late"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get(ctx, "late"); err != nil {
		t.Fatalf("a client created elsewhere after a miss: %v", err)
	}
}
