#!/usr/bin/env bash
# Turns egress passthrough off: the update changes spec.
kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{"spec":{"traffic":{"enableEgress":false}}}'
