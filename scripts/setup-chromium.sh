#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the report test (playwright-core drives it at
# /usr/bin/chromium; no browser is ever downloaded by npm). Does nothing when it is already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  echo "chromium: $($CHROMIUM --version 2>/dev/null || echo present) at $CHROMIUM"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium is missing and apt-get is not available: install Chromium so that $CHROMIUM exists" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "chromium is missing: run this script as root (or install sudo) to apt-get install chromium" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends chromium

if [ ! -x "$CHROMIUM" ]; then
  echo "apt-get installed chromium but $CHROMIUM is not there" >&2
  exit 1
fi
echo "chromium: $($CHROMIUM --version 2>/dev/null || echo installed) at $CHROMIUM"
