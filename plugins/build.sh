#!/usr/bin/env bash
# Rebuilds every committed WebAssembly fixture (.wasm) from its source, deterministically, so that `go test ./...`
# needs no wasm toolchain and CI can prove the committed binaries are what the sources build.
#
#   plugins/build.sh            rebuild in place (after changing a .wat, an AssemblyScript or a Go guest source)
#   plugins/build.sh --check    rebuild into a scratch directory and compare with the committed files (CI)
#
# Toolchains: wat2wasm (Debian package wabt), the AssemblyScript compiler pinned by
# plugins/sdk/assemblyscript/package-lock.json (npm ci), and Go for GOOS=wasip1 (-buildmode=c-shared).
# Every build is reproducible for a given toolchain version: wat2wasm and asc are deterministic, Go builds with
# -trimpath, no VCS stamp and an empty build id. The versions the committed files were built with are below;
# with another Go, a committed Go guest is validated and compared by its exports and imports instead of byte for
# byte (the code of a Go guest changes with any compiler change), and the script says so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

GO_VERSION=go1.26.8 # `go env GOVERSION` that built the committed Go guests
WABT_VERSION=1.0.32 # `wat2wasm --version` (Debian bookworm)

# AssemblyScript guests: source:output (the policytest fixtures are added below).
AS_TARGETS=(
  plugins/first-party-consent-wasm/consent.ts:plugins/first-party-consent-wasm/first-party-consent.wasm
  examples/policies/consent-assemblyscript/consent.ts:examples/policies/consent-assemblyscript/consent.wasm
)
AS_FLAGS=(--optimizeLevel 3 --shrinkLevel 0 --runtime incremental --exportStart _initialize --noColors)

# Go guests: package directory:output.
GO_TARGETS=(
  plugins/extra-claims:plugins/extra-claims/extra-claims.wasm
  examples/policies/consent-go:examples/policies/consent-go/consent.wasm
  examples/policies/resources-go:examples/policies/resources-go/resources.wasm
)
GO_FLAGS=(-buildmode=c-shared -trimpath -buildvcs=false "-ldflags=-s -w -buildid=")

# Every .wat under these directories is built to the .wasm beside it, except the policytest fixtures.
WAT_DIRS=(policy plugins examples)

# The policytest fixtures (policy/policytest/doc.go): their sources live with the SDKs, each built to
# policy/policytest/testdata/<scenario>.wasm.
PT_OUT=policy/policytest/testdata
PT_WAT=plugins/sdk/wat/policytest
PT_AS=plugins/sdk/assemblyscript/policytest

check=false
case "${1:-}" in
--check) check=true ;;
"") ;;
*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

out=$root
if $check; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi

listed() { git ls-files --cached --others --exclude-standard -- "$@"; }

for f in $(listed "$PT_AS/*.ts" | sort); do
  base=${f##*/}
  AS_TARGETS+=("$f:$PT_OUT/${base%.ts}.wasm")
done

# --- WAT ---------------------------------------------------------------------------------------------------
wabt=$(wat2wasm --version)
[ "$wabt" = "$WABT_VERSION" ] || echo "warning: wat2wasm $wabt, fixtures were built with $WABT_VERSION" >&2
wat_targets=() # source:output
while IFS= read -r f; do
  case $f in
  "$PT_WAT"/*) base=${f##*/}; wat_targets+=("$f:$PT_OUT/${base%.wat}.wasm") ;;
  *) wat_targets+=("$f:${f%.wat}.wasm") ;;
  esac
done < <(listed "${WAT_DIRS[@]/%//*.wat}" | grep -v /node_modules/ | sort)
for t in "${wat_targets[@]}"; do
  src=${t%%:*} dst=${t#*:}
  mkdir -p "$out/$(dirname "$dst")"
  wat2wasm "$src" -o "$out/$dst"
done

# --- AssemblyScript ------------------------------------------------------------------------------------------
sdk=plugins/sdk/assemblyscript
if [ ! -x "$sdk/node_modules/.bin/asc" ]; then
  (cd "$sdk" && npm ci --no-audit --no-fund --loglevel=error)
fi
# asc resolves relative imports from the source file. build.mjs compiles many in one node process (asc's
# start-up is most of a small build); two processes, one per core.
as_jobs=([0]="" [1]="")
for i in "${!AS_TARGETS[@]}"; do
  t=${AS_TARGETS[$i]}
  mkdir -p "$out/$(dirname "${t#*:}")"
  as_jobs[$((i % 2))]+=" $root/${t%%:*} $out/${t#*:}"
done
(
  cd "$sdk"
  rc=0
  node build.mjs "${AS_FLAGS[@]}" -- ${as_jobs[0]} & # paths without spaces: split on purpose
  p0=$!
  [ -z "${as_jobs[1]}" ] || node build.mjs "${AS_FLAGS[@]}" -- ${as_jobs[1]} || rc=1
  wait $p0 || rc=1
  exit $rc
) &
as_pid=$!

# --- Go (wasip1 reactors), while asc runs ---------------------------------------------------------------------
goversion=$(GOTOOLCHAIN=local go env GOVERSION)
for t in "${GO_TARGETS[@]}"; do
  pkg=${t%%:*} dst=${t#*:}
  mkdir -p "$out/$(dirname "$dst")"
  GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local GOFLAGS= go build "${GO_FLAGS[@]}" -o "$out/$dst" "./$pkg"
done
wait "$as_pid" || { echo "AssemblyScript build failed" >&2; exit 1; }

if $check; then # the guests' own build, vetted as such (the host's go vet skips their wasip1 files)
  go_pkgs=(./plugins/sdk/go/...)
  for t in "${GO_TARGETS[@]}"; do go_pkgs+=("./${t%%:*}"); done
  GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local GOFLAGS= go vet "${go_pkgs[@]}"
fi

$check || { echo "rebuilt ${#wat_targets[@]} WAT, ${#AS_TARGETS[@]} AssemblyScript and ${#GO_TARGETS[@]} Go fixtures"; exit 0; }

# --- Compare -------------------------------------------------------------------------------------------------
surface() { # exports and imports of a module, one per line, without indexes
  wasm-objdump -x -j Export "$1" | sed -n 's/.* -> "\(.*\)"$/export \1/p' | sort
  wasm-objdump -x -j Import "$1" | sed -n 's/.* <- \(.*\)$/import \1/p' | sort
}
expected=()
for t in "${wat_targets[@]}" "${AS_TARGETS[@]}" "${GO_TARGETS[@]}"; do expected+=("${t#*:}"); done
failed=0
for f in "${expected[@]}"; do
  if [ ! -f "$f" ]; then
    echo "MISSING  $f (built from source, not committed)"; failed=1
  elif cmp -s "$f" "$out/$f"; then
    echo "same     $f"
  elif [[ " ${GO_TARGETS[*]} " == *":$f "* ]] && [ "$goversion" != "$GO_VERSION" ]; then
    if wasm-validate "$f" && diff <(surface "$f") <(surface "$out/$f") >/dev/null; then
      echo "surface  $f (Go $goversion, fixtures built with $GO_VERSION: same exports and imports, bytes not compared)"
    else
      echo "DIFFERS  $f (exports or imports differ)"; diff <(surface "$f") <(surface "$out/$f") || true; failed=1
    fi
  else
    echo "DIFFERS  $f"; failed=1
  fi
done
# Every committed .wasm must come from a source listed here.
while IFS= read -r f; do
  [[ " ${expected[*]} " == *" $f "* ]] || { echo "ORPHAN   $f (no source builds it: add it to plugins/build.sh)"; failed=1; }
done < <(listed '*.wasm' | grep -v /node_modules/)
if [ "$failed" != 0 ]; then
  echo "wasm fixtures differ from their sources: run plugins/build.sh and commit the result" >&2
  exit 1
fi
echo "all ${#expected[@]} wasm fixtures match their sources"
