#!/usr/bin/env bash
# kubectl patch defaults to --type strategic, which custom resources reject.
kubectl patch meshconfig osm-mesh-config -n osm-system \
  -p '{"spec":{"traffic":{"enableEgress":false}}}'
