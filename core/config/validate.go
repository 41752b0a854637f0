package config

import (
	"fmt"
	"slices"
	"strings"
)

// resolve builds the effective Settings from c: defaults for every unset key, the hosts with their inherited
// keys, and every rule checked, recording each problem in r. The result is meaningful only if r has no error.
// c is not modified.
func (c *Config) resolve(env []string, r *report) *Settings {
	s := &Settings{
		Listen:         orDefault(c.Listen, DefaultListen),
		DataDir:        orDefault(c.DataDir, DefaultDataDir),
		LogLevel:       orDefault(c.LogLevel, DefaultLogLevel),
		TrustedProxies: slices.Clone(c.TrustedProxies),
		AutoMigrate:    c.AutoMigrate,
		AdminSocket:    c.AdminSocket,

		AllowInsecureIssuer:    c.AllowInsecureIssuer,
		AdminListenAllowRemote: c.AdminListenAllowRemote,
	}
	if c.AdminSocket != "" {
		if err := checkAdminSocket(c.AdminSocket); err != nil {
			r.errorf("admin_socket", "", err.Error())
		}
	}
	if err := checkListen(s.Listen); err != nil {
		r.errorf("listen", "", err.Error())
	}
	switch s.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		r.errorf("log_level", "", fmt.Sprintf("%q must be one of debug, info, warn, error", s.LogLevel))
	}
	s.Store = resolveStore(c.Store, r)
	if c.Store != nil {
		for _, f := range []struct {
			key      string
			mib, max int
			dst      *int64
		}{
			{"store.memtable_mib", c.Store.MemTableMiB, 1024, &s.Store.MemTableSize},
			{"store.block_cache_mib", c.Store.BlockCacheMiB, 16384, &s.Store.BlockCacheSize},
			{"store.index_cache_mib", c.Store.IndexCacheMiB, 16384, &s.Store.IndexCacheSize},
		} {
			switch {
			case f.mib < 0 || f.mib > f.max:
				r.errorf(f.key, "", fmt.Sprintf("must be between 1 and %d MiB (0 or unset: the default), got %d", f.max, f.mib))
			case f.mib > 0:
				*f.dst = int64(f.mib) << 20
			}
		}
	}
	s.HTTP = resolveHTTP(c.HTTP, r)
	s.AdminListen = resolveAdminListen(c.AdminListen, c.AdminListenAllowRemote, r)
	for i, p := range c.TrustedProxies {
		if err := checkProxy(p); err != nil {
			r.errorf(fmt.Sprintf("trusted_proxies[%d]", i), "", err.Error())
		}
	}

	// Hosts are built one by one, each reporting at the key paths its values came from; the checks across
	// hosts (ids, issuers, hostnames) come last.
	vars := envMap(env)
	var hosts []builtHost
	if len(c.Hosts) == 0 {
		h, o := mergeHost(Host{}, c.Host, "")
		b := &hostBuilder{r: r, o: o, env: vars, allowInsecure: c.AllowInsecureIssuer}
		hosts = append(hosts, b.build(h))
	} else {
		// With hosts, ids and hostnames belong to each entry; at the top level they would be silently unused.
		if c.ID != "" {
			r.errorf("id", "", "set each host's id under hosts; there is no top-level id when hosts is set")
		}
		if c.Hostnames != nil {
			r.errorf("hostnames", "", "set each host's hostnames under hosts; they are not inherited")
		}
		for i, entry := range c.Hosts {
			label := fmt.Sprintf("hosts[%d]", i)
			h, o := mergeHost(c.Host, entry, label+".")
			b := &hostBuilder{r: r, o: o, prefix: label + ".", label: label, env: vars,
				allowInsecure: c.AllowInsecureIssuer}
			if entry.ID == "" {
				r.errorf(label+".id", "", "required: each host needs an immutable id (its store key prefix)")
			}
			hosts = append(hosts, b.build(h))
		}
	}
	checkDistinct(hosts, r)
	for _, h := range hosts {
		s.Hosts = append(s.Hosts, h.HostSettings)
	}
	return s
}

// builtHost is one host's settings plus what the checks across hosts need to report a clash where the value
// was written.
type builtHost struct {
	HostSettings
	b        *hostBuilder
	nameKeys []string // for each of Hostnames, the key it came from ("hostnames[2]", or "issuer" by default)
}

// checkDistinct refuses two hosts with the same id, issuer or hostname: requests are routed by Host header,
// and the id prefixes every store key.
func checkDistinct(hosts []builtHost, r *report) {
	ids, issuers, names := map[string]string{}, map[string]string{}, map[string]string{}
	for _, h := range hosts {
		owner := h.b.label
		if h.ID != "" {
			if prev, ok := ids[h.ID]; ok {
				h.b.errorf("id", "%q is already the id of %s", h.ID, prev)
			} else {
				ids[h.ID] = owner
			}
		}
		if h.IssuerURL == nil {
			continue
		}
		if prev, ok := issuers[h.Issuer]; ok {
			h.b.errorf("issuer", "%q is already the issuer of %s", h.Issuer, prev)
			continue // its hostnames then clash too; one line is enough
		}
		issuers[h.Issuer] = owner
		for i, n := range h.Hostnames {
			if prev, ok := names[n]; ok && prev != owner {
				h.b.errorf(h.nameKeys[i], "%q is already served by %s", n, prev)
			} else {
				names[n] = owner
			}
		}
	}
}

// envMap turns os.Environ()-style entries into a map; a later entry wins, as for exec.
func envMap(env []string) map[string]string {
	m := make(map[string]string, len(env))
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
