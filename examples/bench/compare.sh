#!/usr/bin/env bash
# Assentry side by side with node-oidc-provider 9 on this machine, measured by `assentry loadtest`.
#
#   bash examples/bench/compare.sh            # DURATION=8s per scenario by default; WORKERS=32
#   DURATION=20s bash examples/bench/compare.sh
#
# Needs Go, Node.js (20 or later), npm and python3; reaches only the npm registry (oidc-provider@9) and the Go
# module proxy (to build Assentry). Everything it creates lives in one temporary directory, removed on exit;
# both servers listen on 127.0.0.1 only and are stopped on exit, also on failure or Ctrl-C.
#
# Scenarios, the same requests against both servers: client_credentials, introspect (of one client
# credentials token, by the same client) and refresh (each of 32 workers rotates its own refresh token chain,
# scope "openid offline_access", an ES256 id_token on each refresh from both servers, both rotating the
# refresh token every time), plus `ceiling` (a bare HTTP server inside loadtest: the client's own limit).
#
# Not a like-for-like comparison of storage: Assentry answers only after its write is synced to disk (Badger,
# group commit); node-oidc-provider here uses its default development adapter, which keeps everything in
# process memory (an LRU of 1000 entries: older tokens are forgotten, and all of them on restart).
set -euo pipefail

DURATION=${DURATION:-8s}
WORKERS=${WORKERS:-32}
PEER_VERSION=${PEER_VERSION:-9}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
for tool in go node npm python3; do
	command -v "$tool" >/dev/null || { echo "compare.sh: $tool is needed" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/assentry-compare.XXXXXX")
pids=()
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for pid in "${pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	if [[ $rc -ne 0 ]]; then
		for log in "$work"/assentry.log "$work"/peer.log; do
			[[ -s $log ]] && { echo "--- last lines of ${log##*/}:" >&2; tail -n 20 "$log" >&2; }
		done
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say() { printf 'compare.sh: %s\n' "$*" >&2; }

# Pinning: each server on core 0, the load generator on core 1 (so that a server's req/s is what one core does).
if [[ $(nproc) -ge 2 ]] && command -v taskset >/dev/null; then
	server_pin=(taskset -c 0)
	load_pin=(taskset -c 1)
	pinning="each server pinned to core 0 (taskset -c 0), the load on core 1"
else
	server_pin=()
	load_pin=()
	pinning="UNPINNED ($(nproc) core(s), taskset $(command -v taskset >/dev/null && echo present || echo missing)): servers and load share the cores"
fi
say "$pinning"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL: until it answers (any HTTP status) or 30 s pass.
wait_http() {
	python3 - "$1" <<'EOF'
import sys, time, urllib.request, urllib.error
url, deadline = sys.argv[1], time.time() + 30
while True:
    try:
        urllib.request.urlopen(url, timeout=2)
        sys.exit(0)
    except urllib.error.HTTPError:
        sys.exit(0)
    except Exception as e:
        if time.time() > deadline:
            sys.exit("no answer from %s: %s" % (url, e))
        time.sleep(0.2)
EOF
}

# ---- node-oidc-provider ------------------------------------------------------------------------------------
say "installing oidc-provider@$PEER_VERSION with npm"
mkdir -p "$work/peer"
printf '{"name":"assentry-compare-peer","private":true,"type":"module"}\n' >"$work/peer/package.json"
(cd "$work/peer" && npm install --no-audit --no-fund --loglevel=error "oidc-provider@$PEER_VERSION" >&2)
peer_version=$(node -p 'require(process.argv[1]).version' "$work/peer/node_modules/oidc-provider/package.json")

cat >"$work/peer/server.mjs" <<'EOF'
// node-oidc-provider for compare.sh: one confidential client (client_secret_basic), opaque access tokens, the
// default in-memory adapter. GET /_bench/refresh-tokens?n=N mints N refresh tokens (a Grant and a
// RefreshToken each, through the provider's own models) so that the refresh scenario needs no sign-in pages.
import http from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PEER_PORT);
const clientId = process.env.PEER_CLIENT_ID;
const issuer = `http://127.0.0.1:${port}`;
const scope = 'openid offline_access';

// An ES256 signing key, as Assentry is configured with (id_token_signing_alg: ES256).
const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
const provider = new Provider(issuer, {
  clients: [{
    client_id: clientId,
    client_secret: process.env.PEER_CLIENT_SECRET,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials', 'authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['https://loadtest.example/cb'],
    id_token_signed_response_alg: 'ES256',
  }],
  jwks: { keys: [{ ...jwk, kid: 'compare-es256', alg: 'ES256', use: 'sig' }] },
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: false },
  },
  // Assentry rotates every refresh token; so does the peer here (by default it rotates a confidential
  // client's refresh token only late in its life).
  rotateRefreshToken: true,
  async findAccount(ctx, sub) {
    return { accountId: sub, async claims() { return { sub }; } };
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.on('grant.error', (ctx, err) => console.error('grant.error', err.message, err.error_detail || ''));

async function mint(n) {
  const client = await provider.Client.find(clientId);
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const accountId = `compare-user-${i}`;
    const grant = new provider.Grant({ accountId, clientId });
    grant.addOIDCScope(scope);
    const grantId = await grant.save();
    const rt = new provider.RefreshToken({
      accountId, client, grantId, scope, gty: 'authorization_code', authTime: Math.floor(Date.now() / 1000),
    });
    out.push(await rt.save());
  }
  return out;
}

const callback = provider.callback();
http.createServer((req, res) => {
  const u = new URL(req.url, issuer);
  if (u.pathname === '/_bench/refresh-tokens') {
    mint(Math.min(Number(u.searchParams.get('n')) || 1, 4096)).then((tokens) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`${tokens.join('\n')}\n`);
    }, (err) => { res.writeHead(500); res.end(String(err)); });
    return;
  }
  callback(req, res);
}).listen(port, '127.0.0.1', () => console.error(`node-oidc-provider listening on ${issuer}`));
EOF

peer_port=$(free_port)
peer_id=compare
peer_secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
say "starting node-oidc-provider $peer_version on 127.0.0.1:$peer_port"
(cd "$work/peer" && PEER_PORT=$peer_port PEER_CLIENT_ID=$peer_id PEER_CLIENT_SECRET=$peer_secret \
	exec "${server_pin[@]}" node server.mjs) >"$work/peer.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$peer_port/.well-known/openid-configuration"

# ---- Assentry ----------------------------------------------------------------------------------------------
say "building Assentry"
(cd "$repo" && go build -o "$work/assentry" ./cmd/assentry)
mkdir -p "$work/tmp" "$work/data"
a_port=$(free_port)
cat >"$work/assentry.yaml" <<EOF
issuer: http://127.0.0.1:$a_port
listen: 127.0.0.1:$a_port
data_dir: $work/data
log_level: warn
grant_types: [authorization_code, refresh_token, client_credentials]
id_token_signing_alg: ES256
EOF
# The admin socket goes under TMPDIR: keep it in the work directory, and give the CLI the same.
assentry() { TMPDIR="$work/tmp" "$work/assentry" --config "$work/assentry.yaml" "$@"; }
say "starting Assentry on 127.0.0.1:$a_port (data in $work/data, durable)"
TMPDIR="$work/tmp" "${server_pin[@]}" "$work/assentry" --config "$work/assentry.yaml" serve >"$work/assentry.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$a_port/readyz"

password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
printf '%s\n' "$password" | assentry user add compare --password-stdin >/dev/null
assentry client add --name Compare --redirect-uri https://loadtest.example/cb --grant-type authorization_code \
	--grant-type refresh_token --grant-type client_credentials --introspect --json >"$work/client.json"
a_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_id"])' "$work/client.json")
a_secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["client_secret"])' "$work/client.json")

# ---- the load ----------------------------------------------------------------------------------------------
loadtest() { # OUT.json ARGS...: one run, its JSON report in OUT
	local out=$1
	shift
	"${load_pin[@]}" "$work/assentry" loadtest --workers "$WORKERS" --duration "$DURATION" --json "$@" >"$out"
}

say "ceiling"
loadtest "$work/ceiling.json" --scenario ceiling
say "Assentry: client_credentials, introspect, refresh (each worker signs in once through the code flow)"
loadtest "$work/assentry.json" --target "http://127.0.0.1:$a_port" --scenario client_credentials,introspect,refresh \
	--client-id "$a_id" --client-secret "$a_secret" --username compare --password "$password" \
	--scope 'openid offline_access'
say "node-oidc-provider: client_credentials, introspect"
loadtest "$work/peer.json" --target "http://127.0.0.1:$peer_port" --scenario client_credentials,introspect \
	--client-id "$peer_id" --client-secret "$peer_secret"
# Minted only now: the peer's default adapter is an LRU of 1000 entries, and the client credentials run above
# would have pushed tokens minted earlier out of it.
say "node-oidc-provider: refresh (tokens minted in its process)"
python3 - "http://127.0.0.1:$peer_port/_bench/refresh-tokens?n=$WORKERS" "$work/peer-refresh-tokens" <<'EOF'
import sys, urllib.request
open(sys.argv[2], "wb").write(urllib.request.urlopen(sys.argv[1], timeout=30).read())
EOF
loadtest "$work/peer-refresh.json" --target "http://127.0.0.1:$peer_port" --scenario refresh \
	--client-id "$peer_id" --client-secret "$peer_secret" --refresh-token-file "$work/peer-refresh-tokens"

# ---- the table ---------------------------------------------------------------------------------------------
python3 - "$work" "$peer_version" "$pinning" "$WORKERS" "$DURATION" <<'EOF'
import json, os, sys
work, peer_version, pinning, workers, duration = sys.argv[1:]

def load(name):
    return {s["name"]: s for s in json.load(open(os.path.join(work, name)))["scenarios"]}

ceiling = load("ceiling.json")["ceiling"]
ours = load("assentry.json")
peer = load("peer.json")
peer.update(load("peer-refresh.json"))

def rate(s):
    return "%.0f" % s["rps"] if s else "-"

def p99(s):
    return "%.1f ms" % s["latency_ms"]["p99"] if s else "-"

head = ["scenario", "Assentry req/s", "p99", "node-oidc-provider req/s", "p99", "Assentry/peer", "Assentry % of ceiling"]
rows = []
for name in ["client_credentials", "introspect", "refresh"]:
    a, p = ours.get(name), peer.get(name)
    rows.append([name, rate(a), p99(a), rate(p), p99(p),
                 "%.2f" % (a["rps"] / p["rps"]) if a and p and p["rps"] else "-",
                 "%.0f%%" % (100 * a["rps"] / ceiling["rps"]) if a and ceiling["rps"] else "-"])
rows.append(["ceiling (bare HTTP)", rate(ceiling), p99(ceiling), "", "", "", "100%"])
width = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, width)) + " |"
print()
print("Assentry vs node-oidc-provider %s: %s workers, %s per scenario, %s" % (peer_version, workers, duration, pinning))
print()
print(line(head))
print("|" + "|".join("-" * (w + 2) for w in width) + "|")
for r in rows:
    print(line(r))
print()
errors = [(who, n, s["errors"], s["errors_by_kind"]) for who, d in (("Assentry", ours), ("node-oidc-provider", peer))
          for n, s in d.items() if s["errors"]]
for who, n, count, kinds in errors:
    print("errors: %s %s: %d %s" % (who, n, count, kinds))
print("Assentry's writes are durable: a token is answered only once it is synced to disk (Badger, group commit).")
print("node-oidc-provider keeps its tokens in process memory only (its default adapter, an LRU of 1000 entries:")
print("older tokens are forgotten, and all of them on restart); its refresh tokens were minted in its process.")
print("refresh: both rotate the refresh token on every request and sign an ES256 id_token (scope openid offline_access).")
EOF
