#!/usr/bin/env python3
"""Writes Prosody account files for the tests of `assentry user import-prosody`.

An independent implementation of what Prosody's mod_auth_internal_hashed keeps with the default file storage:
written from RFC 5802 (SCRAM), RFC 4013 (SASLprep, with Python's stringprep tables) and the file layout Prosody
uses (<data_path>/<host>/accounts/<username>.dat, every byte other than a letter or digit written as %xx; the file
a Lua chunk "return { ... };"). It shares no code with Assentry. The files are committed, so the Go tests need no
Python; run it again (python3 make_accounts.py) only to change them. The output is deterministic.
"""

import hashlib
import hmac
import os
import shutil
import stringprep
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "xmpp.example-net"


def saslprep(s):
    """RFC 4013 §2: map (B.1 to nothing, C.1.2 to a space), NFKC, then refuse the prohibited characters."""
    out = []
    for ch in s:
        if stringprep.in_table_b1(ch):
            continue
        out.append(" " if stringprep.in_table_c12(ch) else ch)
    s = unicodedata.normalize("NFKC", "".join(out))
    for ch in s:
        for table in (stringprep.in_table_c12, stringprep.in_table_c21, stringprep.in_table_c22,
                      stringprep.in_table_c3, stringprep.in_table_c4, stringprep.in_table_c5,
                      stringprep.in_table_c6, stringprep.in_table_c7, stringprep.in_table_c8,
                      stringprep.in_table_c9):
            if table(ch):
                raise ValueError("prohibited character %r" % ch)
    return s


def scram(hash_name, password, salt, iterations):
    """RFC 5802 §3: StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key")."""
    salted = hashlib.pbkdf2_hmac(hash_name, saslprep(password).encode("utf-8"), salt, iterations)
    client_key = hmac.new(salted, b"Client Key", hash_name).digest()
    stored_key = hashlib.new(hash_name, client_key).hexdigest()
    server_key = hmac.new(salted, b"Server Key", hash_name).hexdigest()
    return stored_key, server_key


def escape_name(s):
    """util.datamanager: every byte that is not an ASCII letter or digit becomes %xx (lower-case hex)."""
    return "".join(chr(b) if chr(b).isascii() and chr(b).isalnum() else "%%%02x" % b for b in s.encode("utf-8"))


NAMED = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v", 92: "\\\\", 34: '\\"', 39: "\\'"}


def lua_string(b):
    """A Lua string as current util.serialization writes it: named escapes, other bytes outside 32..126 as \\ddd."""
    out = []
    for c in b:
        if c in NAMED:
            out.append(NAMED[c])
        elif c < 32 or c > 126:
            out.append("\\%03d" % c)
        else:
            out.append(chr(c))
    return '"' + "".join(out) + '"'


def lua_q(b):
    """A Lua 5.1 string.format("%q"), which old releases used: \\, " and a line break escaped, \\0 as \\000."""
    out = []
    for c in b:
        if c in (92, 34):
            out.append("\\" + chr(c))
        elif c == 10:
            out.append("\\\n")
        elif c == 13:
            out.append("\\r")
        elif c == 0:
            out.append("\\000")
        else:
            out.append(chr(c))
    return '"' + "".join(out) + '"'


def value(v, quote):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dict):
        return "{ " + " ".join("[%s] = %s;" % (quote(k.encode()), value(x, quote)) for k, x in v.items()) + " }"
    return quote(v if isinstance(v, bytes) else v.encode("utf-8"))


def modern(fields):
    """Prosody 0.11 and later: tab-indented, ";" after every item, "return ...;" (datamanager adds the ";")."""
    body = "".join('\t[%s] = %s;\n' % (lua_string(k.encode()), value(v, lua_string)) for k, v in fields.items())
    return "return {\n" + body + "};\n"


def old(fields):
    """Prosody 0.7 and earlier (datamanager's simplesave): a space, %q strings, "," after every item."""
    body = "".join(' [%s] = %s,\n' % (lua_q(k.encode()), value(v, lua_q)) for k, v in fields.items())
    return "return {\n" + body + "}\n"


def hashed(hash_name, password, salt, iterations, **extra):
    stored, server = scram(hash_name, password, salt, iterations)
    fields = {"iteration_count": iterations, "salt": salt, "stored_key": stored, "server_key": server}
    fields.update(extra)
    return fields


# username, file content; the passwords are the tests' too (cmd/assentry/userimport_test.go).
ACCOUNTS = [
    # Prosody 0.12 and 13: SHA-1 (the default password_hash), 10000 iterations, creation and update times.
    ("alice", modern(hashed("sha1", "alice password", b"3c7d2f0e-6b1a-4c55-9e1f-2a8b9c0d1e2f", 10000,
                            created=1700000000, updated=1700000500))),
    # An escaped username, 0.9's 4096 iterations, and a salt with bytes that need every kind of escape.
    ("bob.smith", modern(hashed("sha1", "bob's pa$$word", b'salt "with" \\ quotes\n\x00\x07\xff\xfe', 4096))),
    # A host with password_hash = "SHA-256".
    ("carol", modern(hashed("sha256", "carol password", b"9f0e8d7c-6b5a-4321-8fed-cba987654321", 10000))),
    # An account left by internal_plain (before switching to internal_hashed): the password itself, old format.
    ("dave", old({"password": "dave's \"plain\" password"})),
    # A non-ASCII username, and a password SASLprep changes: a no-break space (mapped to a space) and a
    # fullwidth letter (NFKC); the user types it as first set.
    ("émile", modern(hashed("sha1", "\u00a0mot de passe \uff45", b"e-salt", 4096))),
    # Prosody 13 can disable an account; disabled_meta is a nested table.
    ("frank", modern(hashed("sha1", "frank password", b"f-salt", 10000, disabled=True,
                            disabled_meta={"reason": "spam", "when": 1710000000}))),
    # A SCRAM record in the old format: "%q" writes a line break in the salt as a backslash and a real line break.
    ("gina", old(hashed("sha1", "gina password", b"line one\nline two\r", 4096))),
    # A taken username in Assentry (the test adds erin first): skipped, never overwritten.
    ("erin", modern(hashed("sha1", "erin prosody password", b"e2-salt", 10000))),
    # A username Assentry refuses (a symbol is not allowed by PRECIS IdentifierClass, RFC 8264 §7.4).
    ("snow\u2603man", modern(hashed("sha1", "x", b"s-salt", 4096))),
    # A malformed file: code, not data. The importer must refuse it without running it.
    ("mallory", 'return { ["salt"] = os.execute("touch /tmp/pwned"); ["iteration_count"] = 4096 };\n'),
]


def main():
    root = os.path.join(HERE, escape_name(HOST))
    shutil.rmtree(root, ignore_errors=True)
    accounts = os.path.join(root, "accounts")
    os.makedirs(accounts)
    for username, content in ACCOUNTS:
        with open(os.path.join(accounts, escape_name(username) + ".dat"), "w", encoding="latin-1", newline="") as f:
            f.write(content)


if __name__ == "__main__":
    main()
