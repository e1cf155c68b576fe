#!/usr/bin/env bash
# Profiles FlameEC2's warm no-op path with 1 caller on both JVMs: the parent (the TransportBench JVM) and the
# runner (its Liberty server). JFR (profile settings, Java samples every 10 ms) is attached to both once the
# measured calls start; JfrTop then prints, per JVM, samples by thread, the hottest methods and the share of
# each part of a call. Build first (bench/run.sh or mvn -B -q -pl bench -am package -DskipTests).
#   bench/profile.sh [seconds=30] [callers=1]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_MEASURED=${1:-30}
CALLERS=${2:-1}
CP="bench/target/classes:bench/target/lib/*"
OUT=bench/target/profile
mkdir -p "$OUT"
rm -f "$OUT"/*.jfr
java -cp "$CP" io.flameec2.bench.TransportBench --only=flameec2 --callers="$CALLERS" --mb=false --concurrent=0 \
  --warmup=3 --seconds="$SECONDS_MEASURED" --csv=profile.csv > "$OUT/bench.log" 2>&1 &
BENCH=$!
until grep -q "== warm calls" "$OUT/bench.log"; do
  kill -0 $BENCH 2>/dev/null || { cat "$OUT/bench.log"; exit 1; }
  sleep 1
done
sleep 3 # the unrecorded warm-up of the scenario
RUNNER=$(pgrep -f "$PWD/bench/target/liberty/wlp/bin/tools/ws-javaagent.jar.*flamerunner" | head -1)
D=$((SECONDS_MEASURED - 5))
jcmd $BENCH JFR.start name=flame settings=profile duration=${D}s filename="$PWD/$OUT/parent.jfr" > /dev/null
jcmd "$RUNNER" JFR.start name=flame settings=profile duration=${D}s filename="$PWD/$OUT/runner.jfr" > /dev/null
wait $BENCH || true
grep "flameec2 / no-op" "$OUT/bench.log" || true
for side in parent runner; do
  echo "### $side JVM"
  java -cp "$CP" io.flameec2.bench.JfrTop "$OUT/$side.jfr" 15
done
