#!/usr/bin/env bash
# Runs the demo on this machine: a parent Open Liberty server on http://localhost:9080 whose /app/primes
# endpoint computes on runners: local Liberty processes running the parent's own WAR with its Liberty
# installation (the parent makes their server on first use: no bundle step), booted on demand and stopped
# when idle. Needs Java 17 and Maven; downloads Open Liberty from Maven Central.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=$root/demo/target
mvn -B -q -pl demo -am package -DskipTests
mvn -B -q dependency:copy -Dartifact=io.openliberty:openliberty-runtime:26.0.0.3:zip \
  -DoutputDirectory="$target" -Dmdep.stripVersion=true
rm -rf "$target/wlp-demo"
mkdir -p "$target/wlp-demo"
unzip -q "$target/openliberty-runtime.zip" -d "$target/wlp-demo"
wlp=$target/wlp-demo/wlp

echo "[flame demo] starting the parent server"
"$wlp/bin/server" create demo >/dev/null
cp "$root/liberty-config/src/main/liberty/parent/server.xml" "$wlp/usr/servers/demo/server.xml"
mkdir -p "$wlp/usr/servers/demo/apps"
cp "$target/flame-demo.war" "$wlp/usr/servers/demo/apps/app.war"
# Telemetry, by one variable: FLAME_DEMO_OTEL=console prints spans and metrics to the servers' logs,
# FLAME_DEMO_OTEL=http://host:4318 exports them over OTLP/HTTP (a collector, Jaeger, ...). Unset: no telemetry.
if [[ -n "${FLAME_DEMO_OTEL:-}" ]]; then
  otel=(OTEL_SDK_DISABLED=false OTEL_METRIC_EXPORT_INTERVAL=10000 OTEL_LOGS_EXPORTER=none)
  if [[ "$FLAME_DEMO_OTEL" == console ]]; then
    otel+=(OTEL_TRACES_EXPORTER=console OTEL_METRICS_EXPORTER=console)
  else
    otel+=(OTEL_EXPORTER_OTLP_ENDPOINT="$FLAME_DEMO_OTEL" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)
  fi
  printf '%s\n' "${otel[@]}" OTEL_SERVICE_NAME=flame-demo-parent > "$wlp/usr/servers/demo/server.env"
  # runners get none of the parent's environment but what the pool's env gives them
  runner_env=$(IFS=,; echo "${otel[*]},OTEL_SERVICE_NAME=flame-demo-runner")
  echo "-Dflame.pools.primes.process.env=$runner_env" >> "$wlp/usr/servers/demo/jvm.options"
  echo "[flame demo] telemetry on: $FLAME_DEMO_OTEL"
fi
echo "[flame demo] when the server is up: curl 'http://localhost:9080/app/primes?n=3000000'"
echo "[flame demo] runner logs: /tmp/flame-process-$(id -un)/runner-*/output/<runner id>/flamerunner/logs/messages.log"
exec "$wlp/bin/server" run demo
