#!/usr/bin/env bash
# enableEngress is misspelled: the API server drops it before admission, so the
# update reaches meshguard with an unchanged spec and kubectl prints
# "patched (no change)". meshguard validate turns this command into an UPDATE.
kubectl patch meshconfig osm-mesh-config -n osm-system --type=merge -p '{"spec":{"traffic":{"enableEngress":false}}}'
