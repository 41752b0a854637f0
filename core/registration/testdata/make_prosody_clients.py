#!/usr/bin/env python3
"""Writes prosody-clients.json: client_ids and secrets made exactly as Prosody's mod_http_oauth2 makes them.

This is an independent implementation of the published algorithm (Prosody util/jwt.lua and mod_http_oauth2's
create_client / make_client_secret), not Assentry's code, so the fixture proves compatibility rather than
agreement with itself:

  client_id     = b64url('{"alg":"HS256","typ":"JWT"}') . b64url(json(metadata + nonce, iat, exp=iat+3600))
                  . b64url(HMAC-SHA256(registration_key, header.payload))      (no iss: Prosody has none)
  client_secret = hex(HMAC-SHA256(HMAC-SHA256(registration_key, host), client_id))

Prosody's util.json writes object members in Lua's hash order (not sorted), does not escape '/' and writes
non-ASCII text as raw UTF-8; the payloads below do the same. The ids were issued on 2024-03-01, long over an
hour before any test runs, so their exp (iat + 3600, which Prosody ignores without oauth2_registration_ttl) is
in the past.

Run from this directory: python3 make_prosody_clients.py
"""
import base64, hashlib, hmac, json

KEY = "prosody-registration-key"      # oauth2_registration_key (24 bytes: short keys must keep working)
HOST = "xmpp.example.net"            # the VirtualHost the clients registered on (registration.legacy_host)
IAT = 1709287200                     # 2024-03-01T10:00:00Z

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

def client(members):
    payload = json.dumps(members, separators=(",", ":"), ensure_ascii=False).encode()
    signed = b64url(b'{"alg":"HS256","typ":"JWT"}') + "." + b64url(payload)
    client_id = signed + "." + b64url(hmac.new(KEY.encode(), signed.encode(), hashlib.sha256).digest())
    per_host = hmac.new(KEY.encode(), HOST.encode(), hashlib.sha256).digest()
    secret = hmac.new(per_host, client_id.encode(), hashlib.sha256).hexdigest()
    return {"payload": payload.decode(), "client_id": client_id, "client_secret": secret}

clients = {
    # The README's first example: a web client with only the required members; Prosody fills in the defaults
    # (client_secret_basic, authorization_code, code, web) and a nonce before signing.
    "web_basic": client({
        "token_endpoint_auth_method": "client_secret_basic", "client_uri": "https://app.example.com/",
        "iat": IAT, "grant_types": ["authorization_code"], "application_type": "web",
        "redirect_uris": ["https://app.example.com/redirect"], "nonce": "Q9vk-3xZ",
        "response_types": ["code"], "client_name": "My Application", "exp": IAT + 3600,
    }),
    # The README's second example, registered for client_secret_post, with refresh tokens.
    "native_post": client({
        "software_version": "3.4.1", "client_name": "Desktop Chat Äpp", "exp": IAT + 3600,
        "redirect_uris": ["http://localhost:8080/redirect", "org.example.app:/redirect"],
        "contacts": ["support@example.org"], "iat": IAT, "scope": "xmpp openid offline_access",
        "policy_uri": "https://app.example.org/about/privacy", "application_type": "native",
        "software_id": "32a0a8f3-4016-5478-905a-c373156eca73", "nonce": "mB7_o2Lq",
        "token_endpoint_auth_method": "client_secret_post", "response_types": ["code"],
        "grant_types": ["authorization_code", "refresh_token"], "client_uri": "https://app.example.org/",
        "tos_uri": "https://app.example.org/about/terms",
    }),
    # A terminal client on the out-of-band redirect: Prosody showed its code on a page and never asked for
    # PKCE there (Assentry keeps that for such ids unless oob_require_pkce is set).
    "native_oob": client({
        "client_name": "Terminal Chat", "exp": IAT + 3600, "redirect_uris": ["urn:ietf:wg:oauth:2.0:oob"],
        "iat": IAT, "application_type": "native", "nonce": "Zt4r_8Wq",
        "token_endpoint_auth_method": "client_secret_post", "response_types": ["code"],
        "grant_types": ["authorization_code"], "client_uri": "https://term.example.org/",
    }),
}

with open("prosody-clients.json", "w") as f:
    json.dump({"key": KEY, "legacy_host": HOST, "issued_at": IAT, "clients": clients}, f, indent=2, ensure_ascii=False)
    f.write("\n")
