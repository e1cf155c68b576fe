#!/bin/bash
# EC2-in-a-box: the "firmware" of one emulated instance. Runs as root inside the instance's network
# namespace and the private mount namespace `ip netns exec` creates (mounts here never reach the host).
# Gives the instance its own /opt and /etc (a copy of the host's: the user-data adds its runner user there, never
# to the host), replaces systemctl (poweroff, halt, reboot and shutdown link to it) and logger by shims, then runs
# the user-data as cloud-init would: as root, clean env.
set -euo pipefail
dir=$1
mount --bind "${dir}/opt" /opt
# a whole copy, not bind mounts of single files: useradd replaces /etc/passwd by renaming a new file onto it
cp -a /etc "${dir}/etc"
mount --bind "${dir}/etc" /etc
mount --bind "${dir}/systemd" /etc/systemd/system
mount --bind "${dir}/shims/systemctl" "$(readlink -f /usr/bin/systemctl)"
mount --bind "${dir}/shims/logger" "$(readlink -f /usr/bin/logger)"
echo "[box] $(date -u +%FT%TZ) cloud-init: running user-data"
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  bash "${dir}/user-data.sh"
