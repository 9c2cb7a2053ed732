#!/usr/bin/env bash
# The patch comes from a variable: meshguard cannot know what it holds.
PATCH='{"spec":{"traffic":{"enableEgress":false}}}'
kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p "$PATCH"
# Here only the value comes from a variable: the field names are checked
# (a misspelled one would still be denied), the value is not.
LEVEL=debug
kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{"spec":{"sidecar":{"logLevel":"'"$LEVEL"'"}}}'
