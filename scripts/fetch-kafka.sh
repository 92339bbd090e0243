#!/usr/bin/env bash
# Fetches Apache Kafka (the broker jar kafka_2.13 and its runtime dependencies) from Maven
# Central into a cache outside the repository, for `make bench`'s peer broker.
#
#   scripts/fetch-kafka.sh            prints the directory holding the jars (one per line: last)
#
# Tries the 3.9 line (the last one with ZooKeeper mode, which bench/peer/kafka.py runs);
# KAFKA_VERSIONS overrides the list, but a 4.x (KRaft only) would need a KRaft start-up in
# bench/peer/kafka.py, which does not exist yet. The directory is $KB_CACHE (default
# ~/.cache/kbroker)/kafka-<version>/libs; one that already holds kafka_2.13-<version>.jar is
# reused without asking Maven.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cache=${KB_CACHE:-$HOME/.cache/kbroker}
versions=${KAFKA_VERSIONS:-"3.9.1 3.9.0"}
mkdir -p "$cache"

for v in $versions; do
  dir="$cache/kafka-$v"
  if [ -f "$dir/libs/kafka_2.13-$v.jar" ]; then echo "$dir"; exit 0; fi
done
for v in $versions; do
  dir="$cache/kafka-$v"
  work=$(mktemp -d)
  sed "s/@KAFKA_VERSION@/$v/" "$here/bench/peer/pom.xml.in" >"$work/pom.xml"
  echo "fetch-kafka: trying org.apache.kafka:kafka_2.13:$v" >&2
  if mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$dir/libs.part" >"$work/mvn.log" 2>&1; then
    rm -rf "$dir/libs"; mv "$dir/libs.part" "$dir/libs"; rm -rf "$work"
    echo "fetch-kafka: kafka $v in $dir/libs ($(ls "$dir/libs" | wc -l) jars)" >&2
    echo "$dir"; exit 0
  fi
  echo "fetch-kafka: $v did not resolve: $(grep -m1 ERROR "$work/mvn.log" || tail -1 "$work/mvn.log")" >&2
  rm -rf "$dir/libs.part" "$work"
done
echo "fetch-kafka: no Kafka version resolved (tried $versions)" >&2
exit 1
