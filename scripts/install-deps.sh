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
  python3-lz4 python3-snappy python3-zstandard python3-crc32c
  procps iproute2
  maven default-jre-headless python3-matplotlib
  clang libclang-rt-14-dev
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

# JavaScript test clients (kafkajs and its codec plugins), pinned by the committed lockfile;
# reinstalled whenever the lockfile changes.
js="$here/tests/clients/js"
if [ -f "$js/package-lock.json" ]; then
  want=$(sha256sum "$js/package-lock.json" | cut -d' ' -f1)
  have=$(cat "$js/node_modules/.kb-lock-sha256" 2>/dev/null || true)
  if [ "$want" != "$have" ]; then
    (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$js/node_modules/.kb-lock-sha256"
  fi
fi
