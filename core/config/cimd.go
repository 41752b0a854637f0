package config

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/netip"
	"os"
	"time"

	"github.com/assentry/assentry/core/cimd"
)

// ClientIDMetadataDocuments configures clients identified by the https URL of their Client ID Metadata Document
// (draft-ietf-oauth-client-id-metadata-document), which the server fetches. Off by default.
type ClientIDMetadataDocuments struct {
	Enabled *bool `yaml:"enabled"`
	// AllowNetworks are CIDRs that documents may be fetched from although they are loopback, private or otherwise
	// not public; for tests and deliberate internal deployments. Left out: public addresses only.
	AllowNetworks []string  `yaml:"allow_networks"`
	MaxBytes      int64     `yaml:"max_bytes"`
	Timeout       *Duration `yaml:"timeout"`
	CacheMinAge   *Duration `yaml:"cache_min_age"`
	CacheMaxAge   *Duration `yaml:"cache_max_age"`
	CacheEntries  int       `yaml:"cache_entries"`
	// MaxConcurrentFetches and MaxConcurrentFetchesPerHost bound the fetches in progress, in all and to one
	// host; beyond them a lookup fails at once with invalid_client, without a request.
	MaxConcurrentFetches        int `yaml:"max_concurrent_fetches"`
	MaxConcurrentFetchesPerHost int `yaml:"max_concurrent_fetches_per_host"`
	// FailureCacheTTL is how long a failed fetch is answered again without a request; FailureCacheEntries how
	// many failures are kept.
	FailureCacheTTL     *Duration `yaml:"failure_cache_ttl"`
	FailureCacheEntries int       `yaml:"failure_cache_entries"`
	// TestRootCA is a PEM file of CA certificates trusted for fetching documents in addition to the system's:
	// for tests against a local TLS server, never needed in production.
	TestRootCA string `yaml:"test_root_ca"`
}

// Defaults of client_id_metadata_documents: the fetcher's own, defined once in package cimd (5 KiB is the
// draft's suggested response size limit, §8.7).
const (
	DefaultCIMDMaxBytes            = cimd.DefaultMaxBytes
	DefaultCIMDTimeout             = cimd.DefaultTimeout
	DefaultCIMDCacheMinAge         = cimd.DefaultCacheMinAge
	DefaultCIMDCacheMaxAge         = cimd.DefaultCacheMaxAge
	DefaultCIMDCacheEntries        = cimd.DefaultCacheEntries
	DefaultCIMDMaxFetches          = cimd.DefaultMaxFetches
	DefaultCIMDMaxFetchesPerHost   = cimd.DefaultMaxFetchesPerHost
	DefaultCIMDFailureCacheTTL     = cimd.DefaultFailureTTL
	DefaultCIMDFailureCacheEntries = cimd.DefaultFailureEntries
)

// ClientIDMetadataDocumentSettings is the effective client_id_metadata_documents configuration.
type ClientIDMetadataDocumentSettings struct {
	Enabled       bool
	AllowNetworks []netip.Prefix
	MaxBytes      int64
	Timeout       time.Duration
	CacheMinAge   time.Duration
	CacheMaxAge   time.Duration
	CacheEntries  int
	// MaxFetches and MaxFetchesPerHost bound the fetches in progress (max_concurrent_fetches, _per_host).
	MaxFetches          int
	MaxFetchesPerHost   int
	FailureCacheTTL     time.Duration
	FailureCacheEntries int
	TestRootCA          string // a PEM file (checked at load); "": the system's roots only
}

// cimd resolves client_id_metadata_documents.
func (b *hostBuilder) cimd(h Host, hs *HostSettings) {
	s := ClientIDMetadataDocumentSettings{MaxBytes: DefaultCIMDMaxBytes, Timeout: DefaultCIMDTimeout,
		CacheMinAge: DefaultCIMDCacheMinAge, CacheMaxAge: DefaultCIMDCacheMaxAge, CacheEntries: DefaultCIMDCacheEntries,
		MaxFetches: DefaultCIMDMaxFetches, MaxFetchesPerHost: DefaultCIMDMaxFetchesPerHost,
		FailureCacheTTL: DefaultCIMDFailureCacheTTL, FailureCacheEntries: DefaultCIMDFailureCacheEntries}
	c := h.ClientIDMetadataDocuments
	if c == nil {
		hs.ClientIDMetadataDocuments = s
		return
	}
	const key = "client_id_metadata_documents."
	s.Enabled = c.Enabled != nil && *c.Enabled
	for i, n := range c.AllowNetworks {
		p, err := netip.ParsePrefix(n)
		if err != nil {
			b.errorf(fmt.Sprintf(key+"allow_networks[%d]", i), "%q is not a network in CIDR notation (127.0.0.0/8, ::1/128)", n)
			continue
		}
		s.AllowNetworks = append(s.AllowNetworks, p.Masked())
	}
	if c.MaxBytes != 0 {
		s.MaxBytes = c.MaxBytes
	}
	if s.MaxBytes < 256 || s.MaxBytes > 1<<20 {
		b.errorf(key+"max_bytes", "must be between 256 and 1048576, got %d", s.MaxBytes)
	}
	s.Timeout = ttl(c.Timeout, s.Timeout)
	s.CacheMinAge = ttl(c.CacheMinAge, s.CacheMinAge)
	s.CacheMaxAge = ttl(c.CacheMaxAge, s.CacheMaxAge)
	switch {
	case s.Timeout <= 0 || s.Timeout > time.Minute:
		b.errorf(key+"timeout", "must be more than 0 and at most 1m, got %s", s.Timeout)
	case s.CacheMinAge <= 0:
		b.errorf(key+"cache_min_age", "must be more than 0, got %s", s.CacheMinAge)
	case s.CacheMaxAge < s.CacheMinAge:
		b.errorf(key+"cache_max_age", "must not be less than cache_min_age (%s), got %s", s.CacheMinAge, s.CacheMaxAge)
	}
	if c.CacheEntries != 0 {
		s.CacheEntries = c.CacheEntries
	}
	if s.CacheEntries < 1 {
		b.errorf(key+"cache_entries", "must be at least 1, got %d", s.CacheEntries)
	}
	for _, n := range []struct {
		key      string
		set      int
		dst      *int
		min, max int
	}{
		{"max_concurrent_fetches", c.MaxConcurrentFetches, &s.MaxFetches, 1, 10000},
		{"max_concurrent_fetches_per_host", c.MaxConcurrentFetchesPerHost, &s.MaxFetchesPerHost, 1, 10000},
		{"failure_cache_entries", c.FailureCacheEntries, &s.FailureCacheEntries, 1, 1 << 20},
	} {
		if n.set != 0 {
			*n.dst = n.set
		}
		if *n.dst < n.min || *n.dst > n.max {
			b.errorf(key+n.key, "must be between %d and %d, got %d", n.min, n.max, *n.dst)
		}
	}
	if s.MaxFetchesPerHost > s.MaxFetches {
		b.errorf(key+"max_concurrent_fetches_per_host", "must not be more than max_concurrent_fetches (%d), got %d",
			s.MaxFetches, s.MaxFetchesPerHost)
	}
	if s.FailureCacheTTL = ttl(c.FailureCacheTTL, s.FailureCacheTTL); s.FailureCacheTTL <= 0 || s.FailureCacheTTL > time.Hour {
		b.errorf(key+"failure_cache_ttl", "must be more than 0 and at most 1h, got %s", s.FailureCacheTTL)
	}
	if s.TestRootCA = c.TestRootCA; s.TestRootCA != "" {
		if _, err := LoadRootCA(s.TestRootCA); err != nil {
			b.errorf(key+"test_root_ca", "%v", err)
		}
	}
	if !s.Enabled && (len(c.AllowNetworks) > 0 || c.TestRootCA != "") {
		b.warnf(key+"enabled", "is not true: the other settings of client_id_metadata_documents have no effect")
	}
	hs.ClientIDMetadataDocuments = s
}

// LoadRootCA reads a PEM file of CA certificates into a pool with the system's roots.
func LoadRootCA(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	n := 0
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		cert, err := x509.ParseCertificate(block.Bytes)
		if block.Type != "CERTIFICATE" || err != nil {
			continue
		}
		pool.AddCert(cert)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("holds no PEM certificate")
	}
	return pool, nil
}
