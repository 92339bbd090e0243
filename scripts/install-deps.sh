#!/usr/bin/env bash
# Installs everything kbroker needs to build, run and test, from Debian packages and from the
# npm lockfile in tests/clients/js, and builds the Java and Go test clients (tests/clients/java
# with Maven, tests/clients/go with Go; see the end). Idempotent: packages already present are
# skipped and the clients are rebuilt only when their sources change, so the README's
# commands can call it every time.
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
# A JDK (javac: Maven compiles) and Maven, for tests/clients/java; many machines have both.
command -v javac >/dev/null 2>&1 || DEBS+=(default-jdk-headless)
command -v mvn >/dev/null 2>&1 || DEBS+=(maven)

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

# Java test clients (tests/clients/java: kafka-clients and kafka-streams, versions pinned in
# pom.xml) as one jar with its dependencies, target/kb-java-clients.jar. Offline first (the
# Maven cache is ~/.m2); rebuilt whenever pom.xml or a source file changes (hash stamp).
jdir="$here/tests/clients/java"
if [ -f "$jdir/pom.xml" ]; then
  want=$(cd "$jdir" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
  have=$(cat "$jdir/target/.kb-src-sha256" 2>/dev/null || true)
  if [ "$want" != "$have" ] || [ ! -f "$jdir/target/kb-java-clients.jar" ]; then
    echo "install-deps: building tests/clients/java/target/kb-java-clients.jar (Maven)"
    mvnq=(mvn -q -B -Dstyle.color=never -DskipTests package)
    mlog=$(mktemp)
    if ! (cd "$jdir" && { "${mvnq[@]}" -o >"$mlog" 2>&1 || "${mvnq[@]}" >"$mlog" 2>&1; }); then
      cat "$mlog"; rm -f "$mlog"
      echo "install-deps: the Maven build of tests/clients/java failed" >&2
      exit 1
    fi
    rm -f "$mlog"
    echo "$want" >"$jdir/target/.kb-src-sha256"
  fi
fi

# Go test clients (tests/clients/go: franz-go, sarama, kafka-go, pinned by go.mod/go.sum) as
# build/clients/kgo-client; rebuilt whenever a source, go.mod, go.sum or the Go version
# changes. The pinned modules need the Go version in go.mod (1.26); Debian 12's golang is
# 1.19, which cannot build them, so without a new enough `go` (this machine kind ships one in
# /usr/local/go) the binary is not built and build/clients/kgo-client.skip says why (the tests
# that need it skip with that reason). GOTOOLCHAIN=local: never download a toolchain.
gdir="$here/tests/clients/go"
gbin="$here/build/clients/kgo-client"
if [ -f "$gdir/go.mod" ]; then
  mkdir -p "$(dirname "$gbin")"
  GO=$(command -v go || true)
  [ -n "$GO" ] || { [ -x /usr/local/go/bin/go ] && GO=/usr/local/go/bin/go; } || true
  need=$(awk '$1 == "go" {print $2; exit}' "$gdir/go.mod")
  gover=""
  [ -z "$GO" ] || gover=$(GOTOOLCHAIN=local "$GO" env GOVERSION 2>/dev/null | sed 's/^go//')
  if [ -z "$gover" ] || [ "$(printf '%s\n%s\n' "$need" "$gover" | sort -V | head -n1)" != "$need" ]; then
    why="needs Go >= $need (tests/clients/go/go.mod); found ${gover:-no go command}"
    echo "install-deps: NOT building kgo-client: $why"
    rm -f "$gbin"
    echo "$why" >"$gbin.skip"
  else
    want=$( (cd "$gdir" && find . -maxdepth 1 -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) -print0 \
             | sort -z | xargs -0 sha256sum; echo "$gover") | sha256sum | cut -d' ' -f1)
    have=$(cat "$gbin.stamp" 2>/dev/null || true)
    if [ "$want" != "$have" ] || [ ! -x "$gbin" ]; then
      echo "install-deps: building build/clients/kgo-client (go $gover)"
      (cd "$gdir" && GOTOOLCHAIN=local GOFLAGS=-mod=readonly "$GO" build -trimpath -o "$gbin" .)
      echo "$want" >"$gbin.stamp"
    fi
    rm -f "$gbin.skip"
  fi
fi
