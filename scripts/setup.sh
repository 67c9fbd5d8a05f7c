#!/usr/bin/env bash
# One idempotent set-up for a fresh Debian 12 machine, shared by `npm start` and `npm test`:
#   1. Debian packages (resources/setup/apt-host.txt) and the armel architecture for the guest's packages
#   2. npm packages (Electron's binary download skipped where it cannot be fetched)
#   3. native modules built for this Node
#   4. the guest image (kernel, initramfs, SD card), cached by a hash of its inputs
# Each step checks first and does nothing when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else log "need root for: $*"; exit 1; fi; }

# 1. Debian packages
if command -v dpkg >/dev/null; then
  mapfile -t wanted < <(grep -vE '^\s*(#|$)' resources/setup/apt-host.txt)
  missing=()
  for p in "${wanted[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
  done
  need_update=0
  if ! dpkg --print-foreign-architectures | grep -qx armel; then
    log "adding the armel architecture (the guest's userland packages)"
    as_root dpkg --add-architecture armel
    need_update=1
  fi
  # (not `| grep -q`: under pipefail, grep's early exit can fail the pipeline with SIGPIPE)
  policy=$(apt-cache policy busybox-static:armel 2>/dev/null || true)
  [[ "$policy" == *"Candidate: "[0-9]* ]] || need_update=1
  if [ ${#missing[@]} -gt 0 ] || [ $need_update -eq 1 ]; then
    log "apt-get update"
    as_root apt-get update -qq
  fi
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
else
  log "not a Debian system: install the packages in resources/setup/apt-host.txt yourself"
fi

# 2. npm packages
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  # npm 11 can write a lock without the other platforms' optional packages (rollup's), which
  # `npm ci` then refuses; `npm install` installs the same pinned versions and completes it.
  npm ci --no-audit --no-fund >&2 || { log "npm ci refused the lock file; npm install instead"; npm install --no-audit --no-fund >&2; }
fi

# 3. native modules for this Node (npm start in Electron mode rebuilds them for Electron's ABI)
if ! node -e "new (require('better-sqlite3'))(':memory:').close(); require('node-pty')" 2>/dev/null; then
  log "rebuilding native modules for Node $(node -v)"
  npm rebuild better-sqlite3 node-pty >&2
fi

# 4. the guest image (a few minutes the first time; then a cache hit)
if [ "${BENCHTOP_SKIP_IMAGE:-0}" != 1 ]; then
  node bin/benchtop.mjs image --board mainstone >&2
fi
log "ready"
