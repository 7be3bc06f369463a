#!/usr/bin/env bash
# The main job (README: `make run`). Until the bench exists: generate sample own-ship traffic with our own
# encoder and decode it back with the CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
node dist/cli/main.js --help
