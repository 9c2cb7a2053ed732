#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kubectl from the Go module proxy into a cache
# outside the clone, one directory per version, so that a fresh clone on a used
# machine does not rebuild. Prints the bin directory on stdout.
#
#   test/tools/build.sh            # build what is missing, print the directory
#   MESHGUARD_CACHE=/path ...      # cache root (default ~/.cache/meshguard)
set -euo pipefail

KUBE_VERSION=v1.37.2
ETCD_VERSION=v3.6.16
here=$(cd "$(dirname "$0")" && pwd)
cache=${MESHGUARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/meshguard}
bin="$cache/tools/kube-$KUBE_VERSION-etcd-$ETCD_VERSION/bin"
mkdir -p "$bin"

# One build at a time: the apiserver compile alone peaks at 2.4 GB and both cores.
exec 9>"$bin/.lock"
flock 9

export CGO_ENABLED=0 GOFLAGS=-mod=readonly
log() { echo "$@" >&2; }

# build NAME DIR PACKAGE LDFLAGS: go build into a temporary name, then rename,
# so an interrupted build never leaves a truncated binary behind.
build() {
  local name=$1 dir=$2 pkg=$3 ldflags=$4
  if [ -x "$bin/$name" ]; then return; fi
  (cd "$here/$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$bin/.$name.tmp" "$pkg")
  mv "$bin/.$name.tmp" "$bin/$name"
}

minor=${KUBE_VERSION#v1.}; minor=${minor%%.*}
V="-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1"
V="$V -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
V="$V -X k8s.io/client-go/pkg/version.gitVersion=$KUBE_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1"
V="$V -X k8s.io/client-go/pkg/version.gitMinor=$minor"

if [ ! -x "$bin/etcd" ]; then
  log "building etcd $ETCD_VERSION, first time only, about 1 minute"
  build etcd etcd go.etcd.io/etcd/server/v3 ""
fi
if [ ! -x "$bin/kube-apiserver" ]; then
  log "building kube-apiserver $KUBE_VERSION, first time only, about 5 minutes"
  build kube-apiserver kube k8s.io/kubernetes/cmd/kube-apiserver "$V"
fi
if [ ! -x "$bin/kubectl" ]; then
  log "building kubectl $KUBE_VERSION, first time only, under a minute"
  build kubectl kube k8s.io/kubernetes/cmd/kubectl "$V"
fi
echo "$bin"
