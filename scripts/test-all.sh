#!/usr/bin/env bash
# The whole test suite, in the order a failure is cheapest to find. scripts/setup.sh runs first
# (npm test does it), so this assumes packages, node_modules and the guest image are present.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n\033[1;34m== %s ==\033[0m\n' "$*"; }
step "lint (eslint + import rules)"; npm run --silent lint
step "typecheck"; npm run --silent typecheck
step "unit tests"; npx vitest run --project unit
step "build the web UI"; npm run --silent build:web
step "integration tests (real QEMU, real guest)"; npx vitest run --project integration --no-file-parallelism
step "end-to-end tests (Chromium through the WebSocket door, real VM)"; npx vitest run --project e2e --no-file-parallelism
printf '\n\033[1;32mall tests passed\033[0m\n'
