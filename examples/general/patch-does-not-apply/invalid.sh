#!/usr/bin/env bash
# replace needs an existing path: the misspelled field makes the whole patch fail.
kubectl patch meshconfig osm-mesh-config -n osm-system --type=json \
  -p '[{"op":"replace","path":"/spec/traffic/enableEngress","value":false}]'
