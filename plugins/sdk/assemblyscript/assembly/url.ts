// parseURL: a URI split into the parts a rule looks at, by the same rules as the Lua binding's assentry.url.parse
// and the Go SDK's guest.ParseURL (docs/policy-abi.md "Lua binding"; the conformance suite's url_parse scenario
// checks all three on the same strings).

/** The parts of a URI; a part it does not have is "" (port: 0). When error is not "", the string was refused. */
export class ParsedURL {
  scheme: string = ""; // lower-cased
  userinfo: string = ""; // before the last '@' of the authority
  host: string = ""; // lower-cased; an IPv6 literal without its brackets
  port: i32 = 0;
  path: string = "";
  query: string = ""; // without '?'
  fragment: string = ""; // without '#'
  error: string = ""; // why the string is not a URI ("url.parse: ...")
}

const MAX_URL_BYTES = 8 << 10;

function refused(reason: string): ParsedURL {
  const u = new ParsedURL();
  u.error = "url.parse: " + reason;
  return u;
}

/** The index of the first code unit of s at or after from that is one of chars, or -1. */
function indexAny(s: string, chars: string, from: i32 = 0): i32 {
  for (let i = from; i < s.length; i++) {
    if (chars.indexOf(s.charAt(i)) >= 0) return i;
  }
  return -1;
}

/** s with its ASCII letters lower-cased (only those: a host is compared in its ASCII form). */
function asciiLower(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
  return out;
}

/** ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986 §3.1). */
function validScheme(s: string): bool {
  if (s.length == 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const alpha = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    const other = (c >= 0x30 && c <= 0x39) || c == 0x2b || c == 0x2d || c == 0x2e;
    if (!alpha && !(i > 0 && other)) return false;
  }
  return true;
}

/** Splits s by RFC 3986 Appendix B (scheme ":" "//" authority path "?" query "#" fragment), then the authority
 * (§3.2: userinfo "@" host ":" port): the userinfo is split off, so "https://example.com@evil.test/" has the host
 * evil.test. A string with a space or a control character, an invalid scheme, an unclosed '[', an empty host
 * after "//", a port that is not 1 to 65535 or more than 8 KiB (of UTF-8) is refused: see error. */
export function parseURL(s: string): ParsedURL {
  if (String.UTF8.byteLength(s) > MAX_URL_BYTES) return refused("longer than " + MAX_URL_BYTES.toString() + " bytes");
  if (s.length == 0) return refused("empty");
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c <= 0x20 || c == 0x7f) return refused("contains a space or a control character");
  }
  const u = new ParsedURL();
  let rest = s;
  let i = indexAny(rest, ":/?#");
  if (i >= 0 && rest.charCodeAt(i) == 0x3a) {
    const scheme = rest.substring(0, i);
    if (!validScheme(scheme)) return refused('invalid scheme "' + scheme + '"');
    u.scheme = asciiLower(scheme);
    rest = rest.substring(i + 1);
  }
  i = rest.indexOf("#");
  if (i >= 0) {
    u.fragment = rest.substring(i + 1);
    rest = rest.substring(0, i);
  }
  i = rest.indexOf("?");
  if (i >= 0) {
    u.query = rest.substring(i + 1);
    rest = rest.substring(0, i);
  }
  if (!rest.startsWith("//")) {
    u.path = rest;
    return u;
  }
  let authority = rest.substring(2);
  i = authority.indexOf("/");
  if (i >= 0) {
    u.path = authority.substring(i);
    authority = authority.substring(0, i);
  }
  i = authority.lastIndexOf("@");
  if (i >= 0) {
    u.userinfo = authority.substring(0, i);
    authority = authority.substring(i + 1);
  }
  let port = "";
  if (authority.startsWith("[")) {
    // an IP literal (§3.2.2)
    const end = authority.indexOf("]");
    if (end < 0) return refused("missing ']' in host");
    u.host = authority.substring(1, end);
    authority = authority.substring(end + 1);
    if (authority.length > 0 && authority.charCodeAt(0) != 0x3a) return refused('unexpected "' + authority + '" after the host');
    if (authority.length > 0) port = authority.substring(1);
  } else {
    i = authority.indexOf(":");
    if (i >= 0) {
      u.host = authority.substring(0, i);
      port = authority.substring(i + 1);
    } else {
      u.host = authority;
    }
  }
  u.host = asciiLower(u.host);
  if (u.host.length == 0) return refused("empty host");
  if (port.length > 0) {
    // §3.2.3: an empty port is as if there were none
    let n: i32 = 0;
    for (let j = 0; j < port.length; j++) {
      const c = port.charCodeAt(j);
      if (c < 0x30 || c > 0x39 || n > 65535) return refused('invalid port "' + port + '"');
      n = n * 10 + (c - 0x30);
    }
    if (n < 1 || n > 65535) return refused('invalid port "' + port + '"');
    u.port = n;
  }
  return u;
}
