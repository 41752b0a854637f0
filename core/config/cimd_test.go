package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestCIMDSettings: client_id_metadata_documents is off by default; set, its values (a relative test_root_ca
// from the file's directory, enabled from the environment) and every problem, each at its key path.
func TestCIMDSettings(t *testing.T) {
	s, _, err := loadYAML(t, "issuer: https://auth.example.com\n", kekEnv)
	if err != nil {
		t.Fatal(err)
	}
	if c := s.Hosts[0].ClientIDMetadataDocuments; c.Enabled || c.MaxBytes != DefaultCIMDMaxBytes {
		t.Fatalf("default: %+v", c)
	}

	dir := t.TempDir()
	// A certificate of the standard library's test server would do; any self-signed one is a CA for the pool.
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), []byte(testCAPEM), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "assentry.yaml")
	doc := `issuer: https://auth.example.com
client_id_metadata_documents:
  allow_networks: [127.0.0.0/8, "::1/128"]
  max_bytes: 2048
  timeout: 2s
  cache_min_age: 30s
  cache_max_age: 1h
  cache_entries: 10
  max_concurrent_fetches: 8
  max_concurrent_fetches_per_host: 2
  failure_cache_ttl: 10s
  failure_cache_entries: 50
  test_root_ca: ca.pem
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	s, _, err = Load(path, []string{kekEnv, "ASSENTRY_CLIENT_ID_METADATA_DOCUMENTS__ENABLED=true"})
	if err != nil {
		t.Fatal(err)
	}
	want := ClientIDMetadataDocumentSettings{Enabled: true,
		AllowNetworks: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		MaxBytes:      2048, Timeout: 2 * time.Second, CacheMinAge: 30 * time.Second, CacheMaxAge: time.Hour,
		CacheEntries: 10, MaxFetches: 8, MaxFetchesPerHost: 2, FailureCacheTTL: 10 * time.Second,
		FailureCacheEntries: 50, TestRootCA: filepath.Join(dir, "ca.pem")}
	if got := s.Hosts[0].ClientIDMetadataDocuments; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}

	_, _, err = loadYAML(t, `issuer: https://auth.example.com
client_id_metadata_documents:
  enabled: true
  allow_networks: [localhost]
  max_bytes: 10
  timeout: 0s
  cache_entries: -1
  max_concurrent_fetches: 2
  max_concurrent_fetches_per_host: 3
  failure_cache_ttl: 2h
  failure_cache_entries: -5
  test_root_ca: /nonexistent/ca.pem
`, kekEnv)
	matchLines(t, "error", problemLines(t, err), []string{
		"client_id_metadata_documents.allow_networks[0]: \"localhost\" is not a network in CIDR notation",
		"client_id_metadata_documents.max_bytes: must be between 256 and 1048576",
		"client_id_metadata_documents.timeout: must be more than 0",
		"client_id_metadata_documents.cache_entries: must be at least 1",
		"client_id_metadata_documents.max_concurrent_fetches_per_host: must not be more than max_concurrent_fetches (2), got 3",
		"client_id_metadata_documents.failure_cache_ttl: must be more than 0 and at most 1h, got 2h0m0s",
		"client_id_metadata_documents.failure_cache_entries: must be between 1 and 1048576, got -5",
		"client_id_metadata_documents.test_root_ca: cannot be read",
	})
	_, _, err = loadYAML(t, `issuer: https://auth.example.com
client_id_metadata_documents: {enabled: true, cache_min_age: 2h, cache_max_age: 1h}
`, kekEnv)
	matchLines(t, "error", problemLines(t, err), []string{"client_id_metadata_documents.cache_max_age: must not be less than cache_min_age"})
}

// testCAPEM is a self-signed certificate (a test CA of no value).
const testCAPEM = `-----BEGIN CERTIFICATE-----
MIIBhTCCASugAwIBAgIQIRi6zePL6mKjOipn+dNuaTAKBggqhkjOPQQDAjASMRAw
DgYDVQQKEwdBY21lIENvMB4XDTE3MTAyMDE5NDMwNloXDTE4MTAyMDE5NDMwNlow
EjEQMA4GA1UEChMHQWNtZSBDbzBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABD0d
7VNhbWvZLWPuj/RtHFjvtJBEwOkhbN/BnnE8rnZR8+sbwnc/KhCk3FhnpHZnQz7B
5aETbbIgmuvewdjvSBSjYzBhMA4GA1UdDwEB/wQEAwICpDATBgNVHSUEDDAKBggr
BgEFBQcDATAPBgNVHRMBAf8EBTADAQH/MCkGA1UdEQQiMCCCDmxvY2FsaG9zdDo1
NDUzgg4xMjcuMC4wLjE6NTQ1MzAKBggqhkjOPQQDAgNIADBFAiEA2zpJEPQyz6/l
Wf86aX6PepsntZv2GYlA5UpabfT2EZICICpJ5h/iI+i341gBmLiAFQOyTDT+/wQc
6MF9+Yw1Yy0t
-----END CERTIFICATE-----
`
