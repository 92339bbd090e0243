#!/usr/bin/env bash
# `make compat`: librdkafka 2.0.2's own broker tests against kbroker clusters (docs/compat.md).
#
# 1. Adds a deb-src entry for Debian's main archive in a file of its own,
#    /etc/apt/sources.list.d/kbroker-compat-src.sources, DERIVED from this machine's apt
#    source entries (the Debian stanzas of the running release, type changed to deb-src; no
#    mirror address is written into the repository), and refreshes only that source's index.
# 2. `apt-get source librdkafka=<version>` into $KB_COMPAT_CACHE (default
#    ~/.cache/kbroker/compat), outside the repository; no librdkafka code is committed.
# 3. Installs the build dependencies the test-runner needs (RapidJSON for the stats tests;
#    SASL/GSSAPI is configured out), configures and builds librdkafka and tests/test-runner
#    (once: a stamp file records the build).
# 4. Builds kbroker (plain build, bin/) and runs scripts/compat_run.py under `nice -n 10`,
#    which starts the clusters, runs every broker test in its own process and prints the table.
#
# Environment: KB_COMPAT_CACHE (cache dir), KB_COMPAT_TIMEOUT (seconds per test process,
# default 240), KB_COMPAT_ONLY (comma-separated test numbers, for debugging),
# KB_COMPAT_OUT (results dir, default build/compat).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)

RDK_VERSION=2.0.2
RDK_DEB_VERSION=2.0.2-1
CACHE=${KB_COMPAT_CACHE:-$HOME/.cache/kbroker/compat}
SRC="$CACHE/librdkafka-$RDK_VERSION"
SRCLIST=/etc/apt/sources.list.d/kbroker-compat-src.sources
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
PY=/usr/bin/python3

# --- 1. deb-src entry derived from the existing apt sources (scripts/compat_sources.py) -----
want=$("$PY" "$here/scripts/compat_sources.py" "$SRCLIST")
if [ "$(cat "$SRCLIST" 2>/dev/null || true)" != "$want" ]; then
  echo "compat: writing $SRCLIST"
  printf '%s\n' "$want" | $SUDO tee "$SRCLIST" >/dev/null
fi
if ! apt-cache showsrc librdkafka 2>/dev/null | grep -qx "Version: $RDK_DEB_VERSION"; then
  echo "compat: apt-get update (only $SRCLIST)"
  $SUDO apt-get update -qq -o Dir::Etc::SourceList="$SRCLIST" -o Dir::Etc::SourceParts=/dev/null \
    -o APT::Get::List-Cleanup=0
fi

# --- 2./3. source package, build dependencies, test-runner -----------------------------------
DEBS=(build-essential dpkg-dev pkg-config rapidjson-dev libssl-dev libzstd-dev liblz4-dev zlib1g-dev)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "compat: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

mkdir -p "$CACHE"
if [ ! -f "$SRC/tests/test.c" ]; then
  echo "compat: apt-get source librdkafka=$RDK_DEB_VERSION into $CACHE"
  (cd "$CACHE" && apt-get source -qq "librdkafka=$RDK_DEB_VERSION")
fi
stamp="$SRC/.kb-compat-built"
if [ ! -x "$SRC/tests/test-runner" ] || [ ! -f "$stamp" ]; then
  echo "compat: building librdkafka $RDK_VERSION and its test-runner (logs in $CACHE)"
  (cd "$SRC" &&
   nice -n 10 ./configure --disable-gssapi --disable-curl --disable-lz4-ext >"$CACHE/configure.log" 2>&1 &&
   nice -n 10 make -j2 libs >"$CACHE/build.log" 2>&1 &&
   nice -n 10 make -j2 -C tests test-runner >>"$CACHE/build.log" 2>&1) || {
    tail -n 30 "$CACHE/configure.log" "$CACHE/build.log" 2>/dev/null
    echo "compat: the librdkafka build failed" >&2
    exit 1
  }
  grep -q "RAPIDJSON" "$SRC/Makefile.config" ||
    echo "compat: WARNING: librdkafka built without RapidJSON (stats tests will skip)" >&2
  touch "$stamp"
fi

# --- 4. the run ------------------------------------------------------------------------------
[ -x "$here/bin/kbroker" ] || { echo "compat: no bin/kbroker (make all)" >&2; exit 1; }
args=(--src "$SRC" --out "${KB_COMPAT_OUT:-$here/build/compat}" --timeout "${KB_COMPAT_TIMEOUT:-240}")
[ -z "${KB_COMPAT_ONLY:-}" ] || args+=(--only "$KB_COMPAT_ONLY")
KB_BIN_DIR="$here/bin" exec nice -n 10 "$PY" "$here/scripts/compat_run.py" "${args[@]}"
