#!/usr/bin/env bash
# Moves the mesh to osm-edge's Envoy driver at runtime: osm-controller and
# osm-injector read sidecarClass only when they start, so until both restart
# new pods get the Pipy driver's sidecar with the Envoy driver's image and port.
kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{"spec":{"sidecar":{"sidecarClass":"envoy"}}}'
