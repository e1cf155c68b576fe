#!/usr/bin/env bash
# Profiles FlameEC2's warm no-op path with 1 caller on both JVMs: the parent (the TransportBench JVM) and the
# runner (its Liberty server). JFR (profile settings, Java samples every 10 ms) is attached to both once the
# measured calls start; JfrTop then prints, per JVM, samples by thread, the hottest methods and the share of
# each part of a call; and CPU per thread (from /proc, Java and native alike: JIT, GC, epoll, syscalls) over
# the same window. Build first (bench/run.sh or mvn -B -q -pl bench -am package -DskipTests).
#   bench/profile.sh [seconds=30] [callers=1] [scenario=noop|mb]   (mb: the 1 MB round trip, 1 caller)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_MEASURED=${1:-30}
CALLERS=${2:-1}
if [ "${3:-noop}" = mb ]; then WHAT="--noop=false --mb=true --mb-calls=100000"; else WHAT="--mb=false"; fi
CP="bench/target/classes:bench/target/lib/*"
OUT=bench/target/profile
mkdir -p "$OUT"
rm -f "$OUT"/*.jfr
java -cp "$CP" io.flameec2.bench.TransportBench --only=flameec2 --callers="$CALLERS" $WHAT --concurrent=0 \
  --warmup=3 --prewarm=8 --seconds="$SECONDS_MEASURED" --csv=profile.csv > "$OUT/bench.log" 2>&1 &
BENCH=$!
until grep -q "== warm calls" "$OUT/bench.log"; do
  kill -0 $BENCH 2>/dev/null || { cat "$OUT/bench.log"; exit 1; }
  sleep 1
done
sleep 3 # the unrecorded warm-up of the scenario
RUNNER=""
for c in $(pgrep -P $BENCH) $(for c in $(pgrep -P $BENCH); do pgrep -P $c; done); do # the Liberty JVM: child or grandchild
  if readlink /proc/$c/exe | grep -q java && grep -q flamerunner /proc/$c/cmdline; then RUNNER=$c; fi
done
D=$((SECONDS_MEASURED - 15)) # attaching takes seconds on a loaded machine; end well before the bench
threads() { # pid -> "tid name ticks" lines
  for t in /proc/$1/task/*; do
    echo "${t##*/} $(tr ' ' '_' < $t/comm) $(awk '{s=$0; sub(/.*\) /, "", s); split(s, f, " "); print f[12]+f[13]}' $t/stat 2>/dev/null)"
  done 2>/dev/null
}
threads $BENCH > "$OUT/parent.threads0"; threads "$RUNNER" > "$OUT/runner.threads0"
(sleep "$D"; threads $BENCH > "$OUT/parent.threads1"; threads "$RUNNER" > "$OUT/runner.threads1") &
SNAP=$!
jcmd $BENCH JFR.start name=flame settings=profile duration=${D}s filename="$PWD/$OUT/parent.jfr" > /dev/null
jcmd "$RUNNER" JFR.start name=flame settings=profile duration=${D}s filename="$PWD/$OUT/runner.jfr" > /dev/null
wait $SNAP
wait $BENCH || true
grep -E "flameec2 / (no-op|1 MB)" "$OUT/bench.log" || true
for side in parent runner; do
  echo "### $side JVM"
  java -cp "$CP" io.flameec2.bench.JfrTop "$OUT/$side.jfr" 15
  echo "-- CPU by thread over ${D} s (ms; thread numbers folded)"
  awk 'NR==FNR {a[$1]=$3; next} {d=$3-a[$1]; n=$2; gsub(/[0-9]+$/,"N",n); c[n]+=d; tot+=d}
       END {for (n in c) if (c[n] > 0) printf "  %7d  %s\n", c[n]*10, n; printf "  %7d  total\n", tot*10}' \
    "$OUT/$side.threads0" "$OUT/$side.threads1" | sort -rn | head -12
done
