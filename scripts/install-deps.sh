#!/usr/bin/env bash
# Installs everything kbroker needs to build, run and test, from Debian packages and from the
# npm lockfile in tests/clients/js. Idempotent: packages already present are skipped, so the
# README's commands can call it every time.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

DEBS=(
  build-essential pkg-config
  libevent-dev libzookeeper-st-dev zookeeper
  libsnappy-dev liblz4-dev libzstd-dev zlib1g-dev libjansson-dev
  libcunit1-dev librdkafka-dev
  kcat python3-confluent-kafka python3-kafka python3-kazoo python3-pytest
  procps iproute2
)
# Node.js with npm is on many machines already (some builds bundle npm and conflict with
# Debian's npm package): only ask Debian for it when the commands are missing.
command -v node >/dev/null 2>&1 || DEBS+=(nodejs)
command -v npm >/dev/null 2>&1 || DEBS+=(npm)

missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# JavaScript test client (kafkajs), pinned by the committed lockfile.
if [ -f "$here/tests/clients/js/package-lock.json" ] && [ ! -d "$here/tests/clients/js/node_modules/kafkajs" ]; then
  (cd "$here/tests/clients/js" && npm ci --no-audit --no-fund --loglevel=error)
fi
