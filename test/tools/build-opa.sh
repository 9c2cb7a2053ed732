#!/usr/bin/env bash
# Builds a stock opa (the CLI and REST server of github.com/open-policy-agent/opa)
# from the Go module proxy, through the wrapper module test/tools/opa, into a
# cache outside the clone, keyed by version and the wrapper's go.sum, so a fresh
# clone on a used machine does not rebuild. Prints the binary's path on stdout.
# The webhook benchmark (test/bench/webhook.sh) serves meshguard's rules with it.
#
#   test/tools/build-opa.sh        # build if missing, print the path
#   MESHGUARD_CACHE=/path ...      # cache root (default ~/.cache/meshguard)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dir=$here/opa
version=$(cd "$dir" && go list -m -f '{{.Version}}' github.com/open-policy-agent/opa)
key=$(cat "$dir/go.mod" "$dir/go.sum" <(go env GOVERSION) | sha256sum | cut -c1-12)
cache=${MESHGUARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshguard}
bin="$cache/tools/opa-$version-$key"
mkdir -p "$bin"

# One build at a time (two benchmark runs starting together).
exec 9>"$bin/.lock"
flock 9

if [ ! -x "$bin/opa" ]; then
  echo "building opa $version, first time only, about 2 minutes" >&2
  # Stock: no build tags, no ldflags beyond stripping symbols; CGO off, a
  # static binary like OPA's opa_linux_amd64_static release.
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=readonly go build -trimpath -ldflags "-s -w" -o "$bin/.opa.tmp" github.com/open-policy-agent/opa)
  mv "$bin/.opa.tmp" "$bin/opa"
fi
echo "$bin/opa"
