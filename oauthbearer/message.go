package oauthbearer

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Mechanism is the SASL mechanism name this package serves (RFC 7628 §3).
const Mechanism = "OAUTHBEARER"

// kvsep separates the key/value pairs of a client response (RFC 7628 §3.1: kvsep = %x01).
const kvsep = '\x01'

// The keys RFC 7628 §3.1 defines in the client response.
const (
	keyAuth = "auth"
	keyHost = "host"
	keyPort = "port"
)

// maxResponse bounds a client response: a bearer token, a host name and an authzid fit many times over, and a
// server reading from the network must stop somewhere.
const maxResponse = 64 << 10

// InitialResponse is the client's first message of an OAUTHBEARER exchange (RFC 7628 §3.1): the GS2 header
// with its optional authorization identity, then the auth, host and port key/value pairs.
type InitialResponse struct {
	// Authzid is the authorization identity the client asks to act as (the GS2 header's a=), unescaped; empty
	// when the client named none, and the token's own identity applies.
	Authzid string
	// Token is the bearer token of the auth pair ("Bearer" 1*SP b64token, RFC 6750 §2.1).
	Token string
	// Host and Port are where the client believes it connected (RFC 7628 §3.1: host, port); informational,
	// empty and 0 when the client left them out.
	Host string
	Port int
}

// SyntaxError says what is wrong with a client message. It never quotes the bearer token.
type SyntaxError struct {
	Reason string
}

func (e *SyntaxError) Error() string { return "malformed OAUTHBEARER message: " + e.Reason }

func syntaxError(format string, args ...any) *SyntaxError {
	return &SyntaxError{Reason: fmt.Sprintf(format, args...)}
}

// ParseInitialResponse parses a client response (RFC 7628 §3.1):
//
//	client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep
//	kvpair      = key "=" value kvsep
//	key         = 1*(ALPHA)
//	value       = *(VCHAR / SP / HTAB / CR / LF)
//
// The second form, a lone kvsep, is valid only as the client's answer to a failure, which Exchange handles; it
// is refused here. The auth pair is required, each defined key appears at most once, and keys this package does
// not know are checked against the grammar and ignored (§3.1).
func ParseInitialResponse(msg []byte) (*InitialResponse, error) {
	switch {
	case len(msg) == 0:
		return nil, syntaxError("the message is empty")
	case len(msg) > maxResponse:
		return nil, syntaxError("the message is longer than %d bytes", maxResponse)
	case len(msg) == 1 && msg[0] == kvsep:
		return nil, syntaxError("a lone %%x01 is only the client's answer to a failure, not an initial response")
	}
	s := string(msg)
	r := &InitialResponse{}
	rest, err := parseGS2Header(s, r)
	if err != nil {
		return nil, err
	}
	if rest == "" || rest[0] != kvsep {
		return nil, syntaxError("the GS2 header must be followed by %%x01")
	}
	rest = rest[1:]
	seen := map[string]bool{}
	for {
		end := strings.IndexByte(rest, kvsep)
		if end < 0 {
			return nil, syntaxError("the key/value pairs must end with %%x01%%x01")
		}
		pair := rest[:end]
		rest = rest[end+1:]
		if pair == "" { // the empty pair: the final kvsep
			break
		}
		key, value, ok := strings.Cut(pair, "=")
		if !ok {
			return nil, syntaxError("the pair %q has no \"=\"", sanitize(pair))
		}
		if err := checkPair(key, value); err != nil {
			return nil, err
		}
		switch key {
		case keyAuth, keyHost, keyPort:
			if seen[key] {
				return nil, syntaxError("the key %q appears twice", key)
			}
			seen[key] = true
		}
		switch key {
		case keyAuth:
			tok, err := parseBearer(value)
			if err != nil {
				return nil, err
			}
			r.Token = tok
		case keyHost:
			r.Host = value
		case keyPort:
			p, err := parsePort(value)
			if err != nil {
				return nil, err
			}
			r.Port = p
		}
	}
	if rest != "" {
		return nil, syntaxError("%d bytes follow the final %%x01", len(rest))
	}
	if !seen[keyAuth] {
		return nil, syntaxError("there is no auth pair")
	}
	return r, nil
}

// parseGS2Header reads the GS2 header of RFC 5801 §4 (gs2-header = [gs2-nonstd-flag ","] gs2-cb-flag ","
// [gs2-authzid] ","), stores the authzid in r and returns what follows it.
func parseGS2Header(s string, r *InitialResponse) (string, error) {
	switch {
	case strings.HasPrefix(s, "n,"), strings.HasPrefix(s, "y,"):
		// n: the client does not support channel binding; y: it does but believes the server does not.
		// Neither asks for any, and OAUTHBEARER defines none.
		s = s[2:]
	case strings.HasPrefix(s, "p="):
		return "", syntaxError("the client asks for channel binding (p=), which OAUTHBEARER does not define")
	case strings.HasPrefix(s, "F,"):
		// RFC 5801 §4: the non-standard flag marks a GSS-API mechanism without the standard token header;
		// OAUTHBEARER is not a GSS-API mechanism.
		return "", syntaxError("the GS2 non-standard flag F does not apply to OAUTHBEARER")
	default:
		return "", syntaxError("the message must start with the GS2 header \"n,\" or \"y,\"")
	}
	if strings.HasPrefix(s, "a=") {
		end := strings.IndexByte(s, ',')
		if end < 0 {
			return "", syntaxError("the GS2 header's authzid is not followed by \",\"")
		}
		authzid, err := unescapeSASLName(s[2:end])
		if err != nil {
			return "", err
		}
		r.Authzid = authzid
		s = s[end:]
	}
	if s == "" || s[0] != ',' {
		return "", syntaxError("the GS2 header must end with \",\" (an authzid is written \"a=name,\")")
	}
	return s[1:], nil
}

// unescapeSASLName decodes a saslname (RFC 5801 §4: 1*(UTF8-char-safe / "=2C" / "=3D"), where UTF8-char-safe
// is any UTF-8 character but NUL, "," and "=").
func unescapeSASLName(s string) (string, error) {
	if s == "" {
		return "", syntaxError("the authzid a= is empty")
	}
	if !utf8.ValidString(s) {
		return "", syntaxError("the authzid is not valid UTF-8")
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 0:
			return "", syntaxError("the authzid contains NUL")
		case '=':
			switch {
			case strings.HasPrefix(s[i:], "=2C"):
				b.WriteByte(',')
			case strings.HasPrefix(s[i:], "=3D"):
				b.WriteByte('=')
			default:
				return "", syntaxError("the authzid has \"=\" not followed by 2C or 3D")
			}
			i += 2
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// escapeSASLName is the inverse of unescapeSASLName.
func escapeSASLName(s string) string {
	return strings.NewReplacer("=", "=3D", ",", "=2C").Replace(s)
}

// checkPair applies the grammar of a kvpair's key and value (RFC 7628 §3.1).
func checkPair(key, value string) error {
	if key == "" {
		return syntaxError("a key/value pair has an empty key")
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return syntaxError("the key %q has a character other than ALPHA", sanitize(key))
		}
	}
	for i := 0; i < len(value); i++ {
		// VCHAR / SP / HTAB / CR / LF
		if c := value[i]; !(0x21 <= c && c <= 0x7e || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			return syntaxError("the value of %q has the byte 0x%02x, which is not VCHAR, SP, HTAB, CR or LF", key, c)
		}
	}
	return nil
}

// parseBearer reads the auth value, "Bearer" 1*SP b64token (RFC 6750 §2.1; RFC 7628 §3.1: what would be in the
// HTTP Authorization header). The scheme is case-insensitive, as HTTP's are (RFC 9110 §11.1).
func parseBearer(v string) (string, error) {
	scheme, tok, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", syntaxError("the auth value must be \"Bearer <token>\"")
	}
	tok = strings.TrimLeft(tok, " ")
	if tok == "" {
		return "", syntaxError("the auth value has no token after \"Bearer\"")
	}
	// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
	body := strings.TrimRight(tok, "=")
	if body == "" {
		return "", syntaxError("the bearer token is not a b64token (RFC 6750 §2.1)")
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-._~+/", c) >= 0) {
			// Do not quote the token: it may be a valid one with a stray byte.
			return "", syntaxError("the bearer token is not a b64token (RFC 6750 §2.1)")
		}
	}
	return tok, nil
}

// parsePort reads the port value: "a decimal positive integer string without leading zeros" (RFC 7628 §3.1).
func parsePort(v string) (int, error) {
	if v == "" || v[0] == '0' || strings.TrimLeft(v, "0123456789") != "" || len(v) > 5 {
		return 0, syntaxError("the port %q is not a positive decimal without leading zeros", sanitize(v))
	}
	p, _ := strconv.Atoi(v)
	if p > 65535 {
		return 0, syntaxError("the port %d is above 65535", p)
	}
	return p, nil
}

// sanitize shortens what a client sent for an error message and keeps only printable ASCII.
func sanitize(s string) string {
	if len(s) > 32 {
		s = s[:32] + "…"
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e && r != '…' {
			return '?'
		}
		return r
	}, s)
}

// Marshal writes the initial response a client sends (RFC 7628 §3.1), in the order of the RFC's examples: the
// GS2 header, host, port, auth. It is the client side of ParseInitialResponse, for clients and tests.
func (r *InitialResponse) Marshal() []byte {
	var b strings.Builder
	b.WriteString("n,")
	if r.Authzid != "" {
		b.WriteString("a=" + escapeSASLName(r.Authzid))
	}
	b.WriteString(",\x01")
	if r.Host != "" {
		b.WriteString(keyHost + "=" + r.Host + "\x01")
	}
	if r.Port != 0 {
		b.WriteString(keyPort + "=" + strconv.Itoa(r.Port) + "\x01")
	}
	b.WriteString(keyAuth + "=Bearer " + r.Token + "\x01\x01")
	return []byte(b.String())
}
