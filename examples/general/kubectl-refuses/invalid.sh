#!/usr/bin/env bash
# A space after the backslash ends the command on the first line: kubectl
# gets no patch, refuses the command, and the next line runs on its own.
kubectl patch meshconfig osm-mesh-config -n osm-system \ 
  --type=merge -p '{"spec":{"traffic":{"enableEgress":false}}}'
