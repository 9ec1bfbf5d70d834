#!/usr/bin/env bash
# Installs what pvconform needs on a Debian 12 host (run as root): QEMU, the tools the image
# builds use, a compiler for the probe, Chromium for the HTML report's browser test; then the
# npm packages. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
packages=(
  qemu-system-x86 qemu-utils   # the QEMU provider and qemu-img
  busybox-static cpio gzip     # image builds (initramfs)
  openssh-client               # ssh-keygen for harness keys
  util-linux                   # setpriv --pdeathsig: QEMU dies with the harness
  gcc libc6-dev                # the pvbus probe is built and its error paths run in CI
  chromium                     # the HTML report's browser test (playwright-core drives it)
  postgresql                   # the history store tests start a throw-away PostgreSQL server
  signify-openbsd signify-openbsd-keys  # verifying OpenBSD release signatures (and the keys Debian ships)
  ca-certificates
)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
# The image builds (linux-ref, xen-host) fetch Debian packages with `apt-get download`, so apt's
# package lists must be there even when nothing needs installing.
lists=$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' 2>/dev/null | head -n 1)
if ((${#missing[@]})) || [ -z "$lists" ]; then
  apt-get update -qq
fi
if ((${#missing[@]})); then
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
