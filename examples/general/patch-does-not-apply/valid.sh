#!/usr/bin/env bash
kubectl patch meshconfig osm-mesh-config -n osm-system --type=json \
  -p '[{"op":"replace","path":"/spec/traffic/enableEgress","value":false}]'
