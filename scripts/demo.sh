#!/usr/bin/env bash
# The main job (README: `make run`). Until the simulator exists: generate sample own-ship traffic with our own
# encoder (types 1, 18, 5, 24, 8 as VDM sentences) and decode it back with the CLI into gpsd-style JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== generated own-ship traffic (mibc-ais sample) =="
node dist/cli/main.js sample --rounds 2
echo
echo "== decoded (mibc-ais decode) =="
node dist/cli/main.js sample --rounds 2 | node dist/cli/main.js decode
