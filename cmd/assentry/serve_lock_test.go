package main

import (
	"context"
	"testing"
	"time"

	badgerstore "github.com/assentry/assentry/store/badger"
)

// TestServeWaitsForReadOnlyHold: a `config check` reading the store holds Badger's shared lock for a moment; a
// server starting then waits for it instead of exiting 1 with "in use by another process".
func TestServeWaitsForReadOnlyHold(t *testing.T) {
	e := newCLIEnv(t)
	st, err := badgerstore.Open(context.Background(), badgerstore.Options{Dir: e.dataDir, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	released := make(chan struct{})
	go func() {
		defer close(released)
		time.Sleep(time.Second) // serve has started and found the directory held
		_ = st.Close()
	}()
	srv := e.startServer()
	<-released
	srv.stop()
}
