#!/usr/bin/env bash
# Builds the benchmarks and runs them all, from the repository root; tables on stdout, CSV in bench/target/.
# ColdStartBench also uses Temurin 25 at /usr/lib/jvm/temurin-25-jdk-amd64 (--java25=... to move it).
#   bench/run.sh                       # pool engine, wire cost, transport (floor, FlameEC2, Hazelcast)
#   bench/run.sh --seconds=5 --cold=3  # options go to TransportBench (see its javadoc)
# Fetches the Open Liberty 26.0.0.3 runtime zip from Maven Central if needed; uses ports 19410-19420.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q dependency:get -Dartifact=io.openliberty:openliberty-runtime:26.0.0.3:zip
mvn -B -q -pl bench -am package -DskipTests
CP="bench/target/classes:bench/target/lib/*"
echo "### PoolEngineBench"
java -cp "$CP" io.flameec2.bench.PoolEngineBench
echo "### WireCostBench"
java -cp "$CP" io.flameec2.bench.WireCostBench
echo "### TransportBench"
java -cp "$CP" io.flameec2.bench.TransportBench "$@"
echo "### ColdStartBench"
java -cp "$CP" io.flameec2.bench.ColdStartBench --rounds=3
