#!/usr/bin/env bash
# Runs before `npm test`: the status page is tested in Debian's chromium
# (driven by playwright-core, no browser download) and /metrics with
# Prometheus's promtool; the TLS tests make their certificates with openssl.
# Installs the Debian packages when missing.
set -euo pipefail
command -v chromium >/dev/null && command -v promtool >/dev/null && command -v openssl >/dev/null && exit 0
if ! command -v apt-get >/dev/null; then
  echo "npm test needs chromium, promtool (Prometheus) and openssl on PATH; install them with your package manager" >&2
  exit 1
fi
echo "installing chromium, prometheus (promtool) and openssl for the tests (Debian packages)"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium prometheus openssl >/dev/null
