#!/usr/bin/env bash
# The main job (README: `make run`): one simulated minute of traffic with the secure-AIS appliance at every ship —
# signed merchant ships, a blue-force group whose key is handed out in mode 4, a pseudonymous ship, plain yachts and a
# spoofer — ending in a summary of what the listening stations verified and rejected. No hardware needed.
set -euo pipefail
cd "$(dirname "$0")/.."
node dist/cli/main.js bench demo "$@"
