#!/bin/bash
# FlameEC2 runner bootstrap: EC2 user-data rendered by the parent (io.flameec2.impl.backend.ec2.UserData).
# It installs Java if the image has none, downloads the application's Liberty server package, checks its
# SHA-256 when the parent gave one, unpacks it, writes the runner's environment and starts the runner as a
# systemd service, under an unprivileged user of its own, that powers the instance off when it stops
# (InstanceInitiatedShutdownBehavior=terminate then terminates it).
# Every step is logged with tag flame_ec2_init: `journalctl -t flame_ec2_init` on the instance shows them.
# The end of each boot phase before the JVM (instance, java, bundle) is logged too and handed to the runner
# (FLAME_BOOT_MARKS, this machine's clock), which reports it with its join: the parent's RunnerReady phases.
# A pre-baked image (README "EC2 backend") holds Java and the unpacked bundle with its SHA-256 in
# /opt/flame/bundle.sha256: when that is the bundle the parent asks for, nothing is installed or downloaded.
# On any failure the script logs the failing command and powers off, so a broken runner never lingers.
set -Eeuo pipefail

readonly RUNNER_ID={{RUNNER_ID}}
readonly BUNDLE_URL={{BUNDLE_URL}}
readonly BUNDLE_FORMAT={{BUNDLE_FORMAT}}
readonly BUNDLE_SHA256={{BUNDLE_CHECKSUM}}
readonly JAVA_PACKAGE={{JAVA_PACKAGE}}
readonly RUNNER_PORT={{RUNNER_PORT}}
readonly FLAME_HOME=/opt/flame
readonly ENV_FILE=/opt/flame/runner.env
# Liberty's logs and workarea: the only place the runner may write; the server package stays root's
readonly OUTPUT_DIR=/opt/flame/output
readonly RUNNER_USER=flame-runner
readonly UNIT=flame-runner.service
readonly BAKED_SHA256_FILE=/opt/flame/bundle.sha256
readonly AOT_CACHE=/opt/flame/runner.aot
# milliseconds of this machine's clock when the user-data started: the end of the "instance" phase
started_ms=$(date +%s%3N)
boot_marks="instance=${started_ms}"

log() {
  # -s copies the line to stderr, which cloud-init sends to the serial console (GetConsoleOutput)
  logger -s -t flame_ec2_init -- "runner ${RUNNER_ID}: $*"
}

fail() {
  log "FAILED with status $1 at line $2: $3 -- powering off"
  poweroff
  exit 1
}
trap 'fail "$?" "$LINENO" "$BASH_COMMAND"' ERR

# the end of a boot phase: logged, and added to what the runner reports with its join
mark() {
  local now
  now=$(date +%s%3N)
  boot_marks="${boot_marks},$1=${now}"
  log "phase $1 done, $((now - started_ms)) ms after the user-data started"
}

install_packages() {
  if command -v dnf >/dev/null 2>&1; then
    dnf install -y -q "$@"
  elif command -v yum >/dev/null 2>&1; then
    yum install -y -q "$@"
  elif command -v apt-get >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"
  else
    log "no dnf, yum or apt-get to install $*"
    return 1
  fi
}

default_java_package() {
  if command -v dnf >/dev/null 2>&1 || command -v yum >/dev/null 2>&1; then
    echo java-17-amazon-corretto-headless
  else
    echo openjdk-17-jre-headless
  fi
}

imds() {
  # IMDSv2: a session token first; the instance is launched with HttpTokens=required
  local token
  token=$(curl -fsS --retry 5 --retry-connrefused --max-time 5 -X PUT \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' http://169.254.169.254/latest/api/token)
  curl -fsS --retry 5 --retry-connrefused --max-time 5 \
    -H "X-aws-ec2-metadata-token: ${token}" "http://169.254.169.254/latest/meta-data/$1"
}

log "bootstrap started"

if command -v java >/dev/null 2>&1; then
  log "java found: $(command -v java)"
else
  package=${JAVA_PACKAGE:-$(default_java_package)}
  log "java not found, installing ${package}"
  install_packages "${package}"
fi
mark java

baked=""
if [ -n "${BUNDLE_SHA256}" ] && [ -f "${BAKED_SHA256_FILE}" ] && [ -f "${FLAME_HOME}/wlp/bin/server" ] \
    && [ "$(tr -d '[:space:]' < "${BAKED_SHA256_FILE}")" = "${BUNDLE_SHA256}" ]; then
  baked=yes
  log "bundle ${BUNDLE_SHA256} is pre-baked in this image: not downloading it"
fi

if [ -z "${baked}" ] && [ "${BUNDLE_FORMAT}" = zip ] && ! command -v unzip >/dev/null 2>&1; then
  log "installing unzip"
  install_packages unzip
fi

mkdir -p "${FLAME_HOME}"
if [ -z "${baked}" ]; then
  bundle="${FLAME_HOME}/bundle.${BUNDLE_FORMAT}"
  # the query string of a presigned URL is a credential: log the location only
  log "downloading bundle ${BUNDLE_URL%%\?*}"
  curl -fsS --retry 5 --retry-connrefused --retry-delay 2 --max-time 600 -o "${bundle}" "${BUNDLE_URL}"
  if [ -n "${BUNDLE_SHA256}" ]; then
    actual=$(sha256sum "${bundle}" | cut -d ' ' -f 1)
    if [ "${actual}" != "${BUNDLE_SHA256}" ]; then
      log "bundle SHA-256 mismatch: expected ${BUNDLE_SHA256} (ec2.bundle-sha256), downloaded ${actual}; not unpacking it"
      false
    fi
    log "bundle SHA-256 ${actual} verified"
  fi
  log "unpacking bundle ($(du -h "${bundle}" | cut -f1))"
  if [ "${BUNDLE_FORMAT}" = zip ]; then
    unzip -q -o "${bundle}" -d "${FLAME_HOME}"
  else
    tar -xzf "${bundle}" -C "${FLAME_HOME}"
  fi
  rm -f "${bundle}"
fi

servers=("${FLAME_HOME}"/wlp/usr/servers/*/)
if [ ! -f "${FLAME_HOME}/wlp/bin/server" ] || [ "${#servers[@]}" -ne 1 ] || [ ! -d "${servers[0]}" ]; then
  log "the bundle is not a Liberty server package with exactly one server (wlp/bin/server, wlp/usr/servers/<name>)"
  false
fi
# zip tools do not always keep the executable bit
find "${FLAME_HOME}/wlp/bin" -maxdepth 1 -type f -exec chmod 0755 {} +
server=$(basename "${servers[0]}")
log "Liberty server '${server}' unpacked"

# the runner's own unprivileged user: it can read the server package but not change it, nor the env file
if ! id -u "${RUNNER_USER}" >/dev/null 2>&1; then
  nologin=$(command -v nologin || echo /bin/false)
  useradd --system --user-group --no-create-home --home-dir "${OUTPUT_DIR}" --shell "${nologin}" "${RUNNER_USER}"
fi
install -d -o "${RUNNER_USER}" -g "${RUNNER_USER}" -m 0750 "${OUTPUT_DIR}"
# zip entries keep whatever mode they were packed with: the runner's group may read the package, nobody else
chown -R "root:${RUNNER_USER}" "${FLAME_HOME}/wlp"
chmod -R u+rwX,g+rX,g-w,o-rwx "${FLAME_HOME}/wlp"
log "runner runs as user ${RUNNER_USER} ($(id -u "${RUNNER_USER}")), writing to ${OUTPUT_DIR} only"
# A pre-baked image may hold its runner's training, made as root by the bundle's train-image.sh (README "EC2
# backend"): Liberty's warm workarea in OUTPUT_DIR and, on Java 25+, the JDK AOT cache. Used for the image's
# own bundle only: a runner of another build starts clean.
trained_mark=${OUTPUT_DIR}/${server}/workarea/flame-training
if [ -n "${baked}" ] && [ -f "${trained_mark}" ]; then
  chown -R "${RUNNER_USER}:${RUNNER_USER}" "${OUTPUT_DIR}/${server}"
  log "the runner starts with the workarea trained in this image ($(head -c 200 "${trained_mark}"))"
else
  rm -rf "${OUTPUT_DIR:?}/${server}"
fi
aot_cache=
if [ -n "${baked}" ] && [ -f "${AOT_CACHE}" ]; then
  chown "root:${RUNNER_USER}" "${AOT_CACHE}"
  chmod 0640 "${AOT_CACHE}"
  aot_cache=${AOT_CACHE}
  log "the runner maps the AOT cache ${AOT_CACHE} trained in this image (when its Java is the one that made it)"
fi
mark bundle

# the runner joins its parent from this address (the parent checks it); logged for debugging
local_ip=$(imds local-ipv4)
log "local IPv4 ${local_ip}, runner port ${RUNNER_PORT}"

# The env file holds the runner's one-time join token: readable by root only (systemd reads it before dropping to the user).
umask 077
cat > "${ENV_FILE}" <<'FLAME_ENV'
{{ENV_FILE}}
FLAME_ENV
echo "WLP_OUTPUT_DIR=${OUTPUT_DIR}" >> "${ENV_FILE}"
if [ -n "${aot_cache}" ]; then
  # the pool's own JVM_ARGS, extended (in an environment file the later assignment wins)
  pool_jvm_args=$(sed -n "s/^JVM_ARGS='\(.*\)'\$/\1/p" "${ENV_FILE}" | tail -n 1)
  echo "JVM_ARGS='${pool_jvm_args:+${pool_jvm_args} }-XX:AOTCache=${aot_cache}'" >> "${ENV_FILE}"
fi
echo "FLAME_BOOT_MARKS=${boot_marks}" >> "${ENV_FILE}"
chmod 0600 "${ENV_FILE}"
umask 022
log "wrote ${ENV_FILE}"

cat > "/etc/systemd/system/${UNIT}" <<FLAME_UNIT
[Unit]
Description=FlameEC2 runner ${RUNNER_ID}
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=${RUNNER_USER}
Group=${RUNNER_USER}
EnvironmentFile=${ENV_FILE}
WorkingDirectory=${OUTPUT_DIR}
# with bash (this script's shell, so the image has it), not bin/server's #!/bin/sh: where that is dash (Debian,
# Ubuntu) it reads Liberty's jvm.options a byte per system call, most of a second of the boot
ExecStart=${BASH} ${FLAME_HOME}/wlp/bin/server run ${server}
# the runner stops on idle, parent loss or request: the instance goes with it ('+': as root, not as the user)
ExecStopPost=+/usr/bin/systemctl --no-block poweroff
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full
ProtectHome=yes
Restart=no
TimeoutStopSec=120

[Install]
WantedBy=multi-user.target
FLAME_UNIT
systemctl daemon-reload
systemctl start "${UNIT}"
log "started ${UNIT}; runner log: journalctl -u ${UNIT}"
