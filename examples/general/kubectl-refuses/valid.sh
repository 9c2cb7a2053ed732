#!/usr/bin/env bash
kubectl patch meshconfig osm-mesh-config -n osm-system \
  --type=merge -p '{"spec":{"traffic":{"enableEgress":false}}}'
