package config

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// meetsOWASP reports whether memory (KiB) and iterations are at least one row of OWASP's table of equivalent
// argon2id settings (parallelism 1).
func meetsOWASP(memory, iterations uint32) bool {
	for _, p := range [][2]uint32{{47104, 1}, {19456, 2}, {12288, 3}, {9216, 4}, {7168, 5}} {
		if memory >= p[0] && iterations >= p[1] {
			return true
		}
	}
	return false
}

// argon2 resolves the password-hash parameters. Lower values than OWASP's are allowed (tests lower them to
// run fast) but warned about; below argon2's own minimum of 8 KiB per lane they are an error.
func (b *hostBuilder) argon2(h Host, hs *HostSettings) {
	a := Argon2{
		Memory:        DefaultArgon2Memory,
		Iterations:    DefaultArgon2Iterations,
		Parallelism:   DefaultArgon2Parallelism,
		MaxConcurrent: defaultMaxConcurrent(),
	}
	if c := h.Argon2; c != nil {
		if c.Memory != 0 {
			a.Memory = c.Memory
		}
		if c.Iterations != 0 {
			a.Iterations = c.Iterations
		}
		if c.Parallelism != 0 {
			a.Parallelism = c.Parallelism
		}
		if c.MaxConcurrent < 0 {
			b.errorf("argon2.max_concurrent", "must not be negative (0 or unset: the default)")
		} else if c.MaxConcurrent != 0 {
			a.MaxConcurrent = c.MaxConcurrent
		}
	}
	// RFC 9106 §3.1: memory is at least 8×parallelism KiB, or the hash cannot be computed at all.
	if uint64(a.Memory) < 8*uint64(a.Parallelism) {
		b.errorf("argon2.memory", "%d KiB is below argon2's minimum of 8 KiB per lane (parallelism %d)",
			a.Memory, a.Parallelism)
	} else if !meetsOWASP(a.Memory, a.Iterations) {
		b.warnf("argon2", "memory %d KiB with %d iterations is below OWASP's recommendation "+
			"(19456 KiB with 2 iterations, or an equivalent): acceptable in tests only", a.Memory, a.Iterations)
	}
	hs.Argon2 = a
}

// rateLimits resolves the login, registration, device-code and client-authentication token buckets; a bucket
// given in part keeps the default of the other field.
func (b *hostBuilder) rateLimits(h Host, hs *HostSettings) {
	hs.LoginPerIP = Bucket{Burst: DefaultLoginPerIPBurst, Every: Duration(DefaultLoginPerIPEvery)}
	hs.LoginPerUser = Bucket{Burst: DefaultLoginPerUsernameBurst, Every: Duration(DefaultLoginPerUsernameEvery)}
	hs.RegisterPerIP = Bucket{Burst: DefaultRegisterPerIPBurst, Every: Duration(DefaultRegisterPerIPEvery)}
	hs.PushPerIP = Bucket{Burst: DefaultPushPerIPBurst, Every: Duration(DefaultPushPerIPEvery)}
	hs.DeviceCodePerIP = Bucket{Burst: DefaultDeviceCodePerIPBurst, Every: Duration(DefaultDeviceCodePerIPEvery)}
	hs.DeviceCodePerBrowser = Bucket{Burst: DefaultDeviceCodePerBrowserBurst, Every: Duration(DefaultDeviceCodePerBrowserEvery)}
	hs.ClientAuthPerClientIP = Bucket{Burst: DefaultClientAuthPerClientIPBurst, Every: Duration(DefaultClientAuthPerClientIPEvery)}
	hs.ClientAuthPerIP = Bucket{Burst: DefaultClientAuthPerIPBurst, Every: Duration(DefaultClientAuthPerIPEvery)}
	hs.DPoPProofsPerIP = Bucket{Burst: DefaultDPoPProofsPerIPBurst, Every: Duration(DefaultDPoPProofsPerIPEvery)}
	if h.RateLimits == nil {
		return
	}
	b.bucket("rate_limits.login_per_ip", h.RateLimits.LoginPerIP, &hs.LoginPerIP)
	b.bucket("rate_limits.login_per_username", h.RateLimits.LoginPerUsername, &hs.LoginPerUser)
	b.bucket("rate_limits.register_per_ip", h.RateLimits.RegisterPerIP, &hs.RegisterPerIP)
	b.bucket("rate_limits.par_per_ip", h.RateLimits.PushPerIP, &hs.PushPerIP)
	b.bucket("rate_limits.device_code_per_ip", h.RateLimits.DeviceCodePerIP, &hs.DeviceCodePerIP)
	b.bucket("rate_limits.device_code_per_browser", h.RateLimits.DeviceCodePerBrowser, &hs.DeviceCodePerBrowser)
	b.bucket("rate_limits.client_auth_failures_per_client_ip", h.RateLimits.ClientAuthFailuresPerClientIP, &hs.ClientAuthPerClientIP)
	b.bucket("rate_limits.client_auth_failures_per_ip", h.RateLimits.ClientAuthFailuresPerIP, &hs.ClientAuthPerIP)
	b.bucket("rate_limits.dpop_proofs_per_ip", h.RateLimits.DPoPProofsPerIP, &hs.DPoPProofsPerIP)
}

func (b *hostBuilder) bucket(key string, set *Bucket, dst *Bucket) {
	if set == nil {
		return
	}
	if set.Burst != 0 {
		dst.Burst = set.Burst
	}
	if set.Every != 0 {
		dst.Every = set.Every
	}
	if dst.Burst < 1 {
		b.errorf(key+".burst", "must be at least 1, got %d", dst.Burst)
	}
	if dst.Every <= 0 {
		b.errorf(key+".every", "must be positive, got %s", time.Duration(dst.Every))
	}
}

// onErrorValues are the on_error choices (docs/policy-abi.md).
const (
	onErrorFailClosed = "fail_closed"
	onErrorSkip       = "skip"
	onErrorAsk        = "ask"
)

// onLoadErrorValues are the on_load_error choices (docs/policy-abi.md); the first is the default.
func onLoadErrorValues() []string { return []string{"fail", "keep_last_good"} }

// policyLimits are the keys a policy's limits may set (docs/policy-abi.md).
func policyLimits() []string {
	return []string{"timeout_ms", "max_memory_pages", "pool", "max_input_bytes"}
}

// policies resolves builtin_policy (every hook on unless switched off) and the plugin bindings. The plugin
// files are not opened here: the policy engines load and check them.
func (b *hostBuilder) policies(h Host, hs *HostSettings) {
	hooks := Hooks()
	hs.BuiltinPolicy = map[string]bool{}
	for _, hook := range hooks {
		hs.BuiltinPolicy[hook] = true
	}
	for _, k := range slices.Sorted(maps.Keys(h.BuiltinPolicy)) {
		if !slices.Contains(hooks, k) {
			b.errorf("builtin_policy."+k, "unknown hook (hooks: %s)", strings.Join(hooks, ", "))
			continue
		}
		hs.BuiltinPolicy[k] = h.BuiltinPolicy[k]
	}

	for i, p := range h.Policies {
		key := fmt.Sprintf("policies[%d]", i)
		switch {
		case strings.TrimSpace(p.Name) == "":
			b.errorf(key+".name", "required")
		case slices.IndexFunc(h.Policies, func(o Policy) bool { return o.Name == p.Name }) < i:
			b.errorf(key+".name", "%q is used twice", p.Name)
		}
		switch {
		case p.Lua != "" && p.Wasm != "":
			b.errorf(key, "set lua or wasm, not both")
		case p.Lua == "" && p.Wasm == "":
			b.errorf(key, "needs lua: <file> or wasm: <file>")
		}
		// No hooks: the plugin binds every hook it exports, which only the engine knows; on_error is then
		// completed for every hook.
		bound := p.Hooks
		for j, hook := range p.Hooks {
			if !slices.Contains(hooks, hook) {
				b.errorf(key+".hooks", "unknown hook %q (hooks: %s)", hook, strings.Join(hooks, ", "))
			} else if slices.Index(p.Hooks, hook) < j {
				b.errorf(key+".hooks", "%q is listed twice", hook)
			}
		}
		if len(bound) == 0 {
			bound = hooks // the plugin binds every hook it exports
		}
		p.OnError = b.onError(key, p.OnError, p.Hooks, bound)
		switch {
		case p.OnLoadError == "":
			p.OnLoadError = onLoadErrorValues()[0]
		case !slices.Contains(onLoadErrorValues(), p.OnLoadError):
			b.errorf(key+".on_load_error", "%q must be %s", p.OnLoadError, strings.Join(onLoadErrorValues(), " or "))
		}
		for _, k := range slices.Sorted(maps.Keys(p.Limits)) {
			if !slices.Contains(policyLimits(), k) {
				b.errorf(key+".limits."+k, "unknown limit (limits: %s)", strings.Join(policyLimits(), ", "))
			} else if p.Limits[k] <= 0 {
				b.errorf(key+".limits."+k, "must be positive, got %d", p.Limits[k])
			}
		}
		// Config (free-form, handed to init) is shared read-only; the lists and maps are copied per host.
		p.Hooks = slices.Clone(p.Hooks)
		p.Limits = maps.Clone(p.Limits)
		hs.Policies = append(hs.Policies, p)
	}
}

// onError checks a binding's on_error and returns it complete: every bound hook with its value or the ABI
// default (fail_closed; ask for consent; skip for claims).
func (b *hostBuilder) onError(key string, set map[string]string, listed, bound []string) map[string]string {
	for _, hook := range slices.Sorted(maps.Keys(set)) {
		k, v := key+".on_error."+hook, set[hook]
		switch {
		case !slices.Contains(Hooks(), hook):
			b.errorf(k, "unknown hook (hooks: %s)", strings.Join(Hooks(), ", "))
		case len(listed) > 0 && !slices.Contains(listed, hook):
			b.errorf(k, "the policy does not bind this hook (see its hooks)")
		case v == onErrorSkip && hook == hookConsent:
			b.errorf(k, "skip is not allowed for consent (a failing consent policy must ask or fail closed)")
		case v == onErrorAsk && hook != hookConsent:
			b.errorf(k, "ask is for consent only")
		case v != onErrorFailClosed && v != onErrorSkip && v != onErrorAsk:
			b.errorf(k, "%q must be fail_closed, skip, or ask (consent only)", v)
		}
	}
	out := make(map[string]string, len(bound))
	for _, hook := range bound {
		if v, ok := set[hook]; ok {
			out[hook] = v
		} else {
			out[hook] = defaultOnError(hook)
		}
	}
	return out
}
