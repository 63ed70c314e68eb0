#!/usr/bin/env bash
# Installs BenchDaemon as a systemd service: the natively compiled daemon in /opt/benchdaemon,
# a system user, the unit, the RAPL tmpfiles rule, and (optionally) a configuration file.
# Run from a checkout on a machine with the .NET SDK, as root (or with sudo).
set -euo pipefail
cd "$(dirname "$0")/../.."
prefix=${PREFIX:-/opt/benchdaemon}

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo $0)" >&2; exit 1; }

# Natively compiled (no JIT): the daemon holds about half the memory of a JIT build
# (bench/workers/README.md); ONNX Runtime's libraries lie beside it.
scripts/publish-native "$prefix"

id benchdaemon >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin benchdaemon
# GPU device nodes are usually group video/render on distributions that restrict them.
for group in video render; do getent group "$group" >/dev/null && usermod -aG "$group" benchdaemon; done

install -d -m 0755 /etc/benchdaemon
if [ ! -e /etc/benchdaemon/benchdaemon.json ]; then
    install -m 0644 deploy/benchdaemon.example.json /etc/benchdaemon/benchdaemon.json
fi

sed "s#/opt/benchdaemon/benchdaemon#$prefix/benchdaemon#" deploy/systemd/benchdaemon.service > /etc/systemd/system/benchdaemon.service
install -m 0644 deploy/systemd/benchdaemon-rapl.conf /etc/tmpfiles.d/benchdaemon-rapl.conf
systemd-tmpfiles --create /etc/tmpfiles.d/benchdaemon-rapl.conf || true

# Fail early, with the daemon's own message, on a bad configuration.
runuser -u benchdaemon -- "$prefix/benchdaemon" config check --set State:Directory=/tmp/benchdaemon-install-check >/dev/null

systemctl daemon-reload
systemctl enable --now benchdaemon
systemctl --no-pager status benchdaemon | head -5
echo "metrics: curl -s localhost:9847/metrics | grep benchdaemon_host_cpu"
