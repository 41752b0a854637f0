package main

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestOperatingPostgres runs a server on PostgreSQL with the admin listener: its /metrics report the store's
// reads, writes and commits (and none of Badger's sizes), and a backup asked of the admin API is refused with
// 503, since PostgreSQL is backed up with pg_dump.
func TestOperatingPostgres(t *testing.T) {
	dsn := postgresDB(t)
	e := newCLIEnv(t)
	adminAddr := freeAddr(t)
	e.appendConfig(sharedStore(dsn, "") + "admin_listen: " + adminAddr + "\n")
	srv := e.startServer()
	defer srv.stop()
	id, secret := e.addServiceClient("svc")
	for range 3 {
		if status, _, err := clientCredentials(e.addr, e.addr, id, secret); err != nil || status != http.StatusOK {
			t.Fatalf("client credentials: %d %v", status, err)
		}
	}
	api := "http://" + adminAddr

	status, _, body := adminCall(t, http.MethodGet, api+"/metrics", "", nil)
	if status != http.StatusOK {
		t.Fatalf("/metrics: %d %s", status, body)
	}
	count := func(series string) int {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\d+)$`).FindSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics has no %s:\n%s", series, body)
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	// Three issuances: at least a write and a commit each (the client's lookups are reads).
	if n := count(`assentry_store_operation_duration_seconds_count{op="write"}`); n < 3 {
		t.Errorf("%d writes observed, want at least 3", n)
	}
	if n := count(`assentry_store_operation_duration_seconds_count{op="read"}`); n < 1 {
		t.Errorf("%d reads observed", n)
	}
	if commits, writes := count(`assentry_store_commit_batch_size_count`), count(`assentry_store_commit_batch_size_sum`); commits < 3 || writes != commits {
		t.Errorf("%d commits carrying %d writes, want at least 3, one write each", commits, writes)
	}
	for _, badgerOnly := range []string{"assentry_store_lsm_bytes", "assentry_store_vlog_bytes", "assentry_store_free_bytes"} {
		if strings.Contains(string(body), badgerOnly) {
			t.Errorf("/metrics on PostgreSQL has Badger's %s", badgerOnly)
		}
	}

	write := strings.TrimSpace(e.ok("", "admin-token", "create", "--name", "ops", "--scope", "write"))
	status, _, body = adminCall(t, http.MethodGet, api+"/v1/backup", write, nil)
	if status != http.StatusServiceUnavailable || !strings.Contains(string(body), "pg_dump") {
		t.Fatalf("backup over the admin API on PostgreSQL: %d %s", status, body)
	}
	if strings.Contains(srv.log.String(), "backup failed") {
		t.Fatalf("a backup the store cannot give was logged as a failure:\n%s", srv.log)
	}
}
