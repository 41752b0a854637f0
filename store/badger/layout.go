package badger

import "strings"

// Key layout. Every key starts with the host id, so one host's data is one key prefix and two hosts never see
// each other's records:
//
//	h/<host>/user/<user id>                         store.User (tombstones included)
//	h/<host>/username/<username>                    user id of the live user holding the name
//	h/<host>/session/<session id>                   store.Session
//	h/<host>/user-session/<user id>/<session id>    session id (TTL of the session)
//	h/<host>/client/<client id>                     store.Client
//	h/<host>/consent/<user id>/<client id>          store.Consent
//	h/<host>/grant/<grant id>                       store.Grant
//	h/<host>/user-grant/<user id>/<grant id>        grant id (TTL of the grant)
//	h/<host>/client-grant/<client id>/<grant id>    grant id (TTL of the grant)
//	h/<host>/token/<token id>                       store.Token (carries its grant id)
//	h/<host>/code/<code id>                         store.Code
//	h/<host>/device-code/<device code id>           store.DeviceCode
//	h/<host>/user-code/<user code>                  device code id (TTL of the device code)
//	h/<host>/key/<kid>                              store.Key
//	h/<host>/interaction/<interaction id>           store.Interaction
//	h/<host>/revoked-client/<client id digest>      store.RevokedClient
//	h/<host>/dpop-jti/<jti>                         expiry of an accepted DPoP proof (dpop.go)
//
// Server-wide records, which belong to no host, start with "s/" instead, which no host key can reach:
//
//	s/admin-token/<token id>                        store.AdminToken
//	s/admin-token-name/<name>                       token id of the live token holding the name
//	s/lease/<name>                                  holder and end of a lease (store.Leases)
//
// Each component is escaped ('%' → "%25", '/' → "%2F") so that no id can reach into another one's prefix.
// Index values hold the id they point to; an index entry whose record is gone or expired is ignored.
const (
	kindUser        = "user"
	kindUsername    = "username"
	kindSession     = "session"
	kindUserSession = "user-session"
	kindClient      = "client"
	kindConsent     = "consent"
	kindGrant       = "grant"
	kindUserGrant   = "user-grant"
	kindClientGrant = "client-grant"
	kindToken       = "token"
	kindCode        = "code"
	kindDeviceCode  = "device-code"
	kindUserCode    = "user-code"
	kindKey         = "key"
	kindInteraction = "interaction"
	kindRevoked     = "revoked-client"

	kindAdminToken     = "admin-token"
	kindAdminTokenName = "admin-token-name"
	kindLease          = "lease"
)

// key builds the key of one record or index entry: h/<host>/<kind>/<part>/<part>...
func key(host, kind string, parts ...string) []byte {
	var b strings.Builder
	b.WriteString("h/")
	b.WriteString(escape(host))
	b.WriteByte('/')
	b.WriteString(kind)
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(escape(p))
	}
	return []byte(b.String())
}

// prefix is key followed by a separator: the prefix of every key one level below.
func prefix(host, kind string, parts ...string) []byte {
	return append(key(host, kind, parts...), '/')
}

// escape makes s safe as one key component.
func escape(s string) string {
	if !strings.ContainsAny(s, "%/") {
		return s
	}
	s = strings.ReplaceAll(s, "%", "%25")
	return strings.ReplaceAll(s, "/", "%2F")
}

// serverKey builds the key of a server-wide record or index entry: s/<kind>/<part>/<part>...
func serverKey(kind string, parts ...string) []byte {
	var b strings.Builder
	b.WriteString("s/")
	b.WriteString(kind)
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(escape(p))
	}
	return []byte(b.String())
}
