package adminapi

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/assentry/assentry/core/admin"
	"github.com/assentry/assentry/core/events"
)

// touchEvery is how stale a token's last-use stamp may get: stamping every request would add a durable write
// to each of them, while a minute is as precise as anyone reading `admin-token list` needs.
const touchEvery = time.Minute

// Reasons of the admin.action events of refused authentications. Requests refused by the failure limiter are
// not audited one by one (an attacker would fill the disk); the limiter's log line says it started.
const (
	refusedNoToken  = "no_token"
	refusedBadToken = "bad_token" // unknown, expired or revoked
	refusedScope    = "insufficient_scope"
)

// realm names the protection space in WWW-Authenticate (RFC 6750 §3).
const realm = `Bearer realm="assentry-admin"`

// authenticated lets a request through to next only with a live admin token of sufficient scope (RFC 6750:
// the Authorization header only, never a query parameter, which would end up in logs). The request's context
// then names the token as the actor of whatever the dispatcher does, for the audit log.
func (a *API) authenticated(rt route, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := requestID()
		w.Header().Set("X-Request-Id", id)
		ctx := events.WithRequestID(r.Context(), id)
		addr := clientAddr(r)
		if wait := a.failures.Wait(addr); wait > 0 {
			w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(wait.Seconds()))))
			writeError(w, http.StatusTooManyRequests, "too_many_requests", "too many failed authentications from this address")
			return
		}
		op := rt.auditOp()
		value, ok := bearer(r)
		if !ok {
			// RFC 6750 §3.1: a request without credentials gets the challenge and no error code.
			a.failures.Spend(addr)
			a.dispatch.AuditRefused(ctx, op, refusedNoToken, addr)
			w.Header().Set("WWW-Authenticate", realm)
			writeError(w, http.StatusUnauthorized, "invalid_token", "an admin token is required: Authorization: Bearer asa_...")
			return
		}
		tok, err := a.svc.AuthenticateAdminToken(ctx, value)
		switch {
		case errors.Is(err, admin.ErrBadAdminToken):
			if a.failures.Spend(addr) {
				a.log.Warn("admin API: too many failed authentications", "addr", addr)
			}
			a.dispatch.AuditRefused(ctx, op, refusedBadToken, addr)
			w.Header().Set("WWW-Authenticate", realm+`, error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, "invalid_token", "the admin token is unknown, expired or revoked")
			return
		case err != nil:
			a.log.Error("admin API: reading the admin token", "err", err)
			writeError(w, http.StatusServiceUnavailable, admin.KindUnavailable, "the store cannot be read now")
			return
		}
		if rt.Scope == admin.ScopeWrite && tok.Scope != admin.ScopeWrite {
			// Not a failed authentication: the token is good, and its holder's requests are audited one by one
			// anyway, the allowed ones too.
			a.dispatch.AuditRefused(events.WithActor(ctx, "token:"+tok.Name), op, refusedScope, addr)
			w.Header().Set("WWW-Authenticate", realm+`, error="insufficient_scope", scope="write"`)
			writeError(w, http.StatusForbidden, "insufficient_scope", "this request needs a token with the write scope")
			return
		}
		if now := a.now(); now.Sub(tok.LastUsedAt) >= touchEvery {
			if err := a.svc.AdminTokens.Touch(ctx, tok.ID, now.UTC().Truncate(time.Second)); err != nil {
				a.log.Warn("admin API: recording the token's last use", "token", tok.Name, "err", err)
			}
		}
		next.ServeHTTP(w, r.WithContext(events.WithActor(ctx, "token:"+tok.Name)))
	})
}

// bearer returns the token of an "Authorization: Bearer" header (the scheme is case-insensitive, RFC 7235 §2.1).
func bearer(r *http.Request) (string, bool) {
	scheme, value, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	value = strings.TrimSpace(value)
	if !ok || !strings.EqualFold(scheme, "Bearer") || value == "" {
		return "", false
	}
	return value, true
}

// clientAddr is the peer's IP address, the key of the failure limiter. The admin listener trusts no proxy
// header: behind a reverse proxy every peer is the proxy, whose own access rules must then do the limiting.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// requestID is a random id for the X-Request-Id header and the audit log.
func requestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
