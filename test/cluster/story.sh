#!/usr/bin/env bash
# The seed's story, played with kubectl against the local control plane that
# `make run` starts: kubectl's own output, each command shown first.
#   test/cluster/story.sh KUBECTL   (KUBECONFIG set)
set -uo pipefail
kubectl=$1

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
say() { printf '\n%s# %s%s\n' "$bold" "$*" "$plain"; }
# show prints a command as a user would type it: words with shell
# metacharacters in single quotes.
show() {
  printf '$ kubectl'
  local w
  for w in "$@"; do
    case $w in
      *[!A-Za-z0-9_./:=,@%+-]*) printf " '%s'" "$w" ;;
      *) printf ' %s' "$w" ;;
    esac
  done
}
k() {
  show "$@"; printf '\n'
  "$kubectl" "$@"
  local code=$?
  [ $code -eq 0 ] || echo "(exit code $code)"
  return 0
}
k_stdin() { # k_stdin ARGS... <<< manifest: as k, with the manifest shown
  local manifest; manifest=$(cat)
  show "$@"; printf ' <<EOF\n%s\nEOF\n' "$manifest"
  "$kubectl" "$@" <<<"$manifest"
  local code=$?
  [ $code -eq 0 ] || echo "(exit code $code)"
  return 0
}

say "osm-edge's install defaults: the Egress policy feature is on, and so is mesh-wide egress passthrough"
k get meshconfig osm-mesh-config -n osm-system -o jsonpath='enableEgressPolicy={.spec.featureFlags.enableEgressPolicy} enableEgress={.spec.traffic.enableEgress}{"\n"}'

say "Allow curl to reach httpbin.org: meshguard warns that passthrough makes it restrict nothing"
k_stdin apply -f - <<'EOF'
apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata:
  name: httpbin-80
  namespace: curl
spec:
  sources:
  - kind: ServiceAccount
    name: curl
    namespace: curl
  hosts:
  - httpbin.org
  ports:
  - number: 80
    protocol: http
EOF

say "Turn passthrough off, with the guide's typo: the API server drops the field, meshguard says so"
k patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{"spec":{"traffic":{"enableEngress":false}}}'
k get meshconfig osm-mesh-config -n osm-system -o jsonpath='{.spec.traffic.enableEgress}{"\n"}'

say "A policy osm-edge would silently ignore is denied, with the rule code"
k_stdin apply -f - <<'EOF'
apiVersion: policy.openservicemesh.io/v1alpha1
kind: Egress
metadata:
  name: payments-grpc
  namespace: curl
spec:
  sources:
  - kind: ServiceAccount
    name: curl
    namespace: curl
  hosts:
  - payments.example.com
  ports:
  - number: 443
    protocol: grpc
EOF

say "Turn passthrough off, spelled right: now the Egress policy is what curl may reach"
k patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{"spec":{"traffic":{"enableEgress":false}}}'
k get meshconfig osm-mesh-config -n osm-system -o jsonpath='{.spec.traffic.enableEgress}{"\n"}'

say "Add curl to the mesh's injection (as osm namespace add does) and start a pod: meshguard injects osm-edge's sidecar"
k annotate namespace curl openservicemesh.io/sidecar-injection=enabled --overwrite
k_stdin apply -f - <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: curl
  namespace: curl
spec:
  serviceAccountName: curl
  containers:
  - name: curl
    image: curlimages/curl
    command: ["sleep", "infinity"]
EOF
k get pod curl -n curl -o jsonpath='init containers: {.spec.initContainers[*].name}{"\n"}containers: {.spec.containers[*].name}{"\n"}bootstrap Secret: {.spec.volumes[?(@.name=="sidecar-bootstrap-config-volume")].secret.secretName}{"\n"}'
