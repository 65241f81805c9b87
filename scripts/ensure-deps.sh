#!/usr/bin/env bash
# Installs what Siphon needs on a fresh Debian machine of this project's kind, and nothing that is
# already there. Usage: scripts/ensure-deps.sh runtime|test
#   runtime: a shared libpython (Debian's libpython3.11 when no python3 on PATH has one)
#   test:    runtime + python3-venv + python3-pytest (the SDK's tests) + python3-yaml (the SDK's
#            HttpTestHarness(config_path=...)) + python3-mypy (stubtest of the SDK's mock against
#            the stubs) + pyright (npm, in .tools/)
#            + redis-server (the cache tests start their own on a free loopback port; no service is used)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-runtime}"
apt_updated=0
apt_install() {
  if [ "$(id -u)" != 0 ]; then echo "ensure-deps: need root to apt-get install $*" >&2; return 1; fi
  if [ $apt_updated = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; apt_updated=1; fi
  echo "ensure-deps: apt-get install $*" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

command -v dotnet >/dev/null || { echo "ensure-deps: the .NET SDK (dotnet) is required" >&2; exit 1; }

has_libpython() {
  local py="$1"
  SIPHON_SUPPORTED="$(scripts/supported-pythons.sh)" "$py" - <<'PY' 2>/dev/null
import os, sys, sysconfig
v = sysconfig.get_config_var
dirs = [d for d in (v("LIBDIR"), v("LIBPL"), "/usr/lib/" + (v("MULTIARCH") or "")) if d]
names = [n for n in (v("INSTSONAME"), v("LDLIBRARY")) if n and ".so" in n]
sys.exit(0 if "%d.%d" % sys.version_info[:2] in os.environ["SIPHON_SUPPORTED"].split() and any(os.path.exists(os.path.join(d, n)) for d in dirs for n in names) else 1)
PY
}

# The distribution's shared libpython for 3.11-3.13: libpython3.11 on Debian 12 (this project's
# machines), libpython3.13 on Debian 13 (deploy/Dockerfile's images), libpython3.12t64 on Ubuntu 24.04.
libpython_package() {
  if [ $apt_updated = 0 ] && [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null; apt_updated=1; fi
  apt-cache pkgnames libpython3.1 2>/dev/null | grep -E '^libpython3\.1[1-3](t64)?$' | sort | head -1 | grep . || echo libpython3.11
}

if [ -z "${SIPHON_PYTHON:-}" ]; then
  if ! { command -v python3 >/dev/null && has_libpython python3; } && ! { [ -x /usr/bin/python3 ] && has_libpython /usr/bin/python3; }; then
    apt_install python3 "$(libpython_package)"
  fi
fi

if [ "$what" = test ]; then
  [ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
  /usr/bin/python3 -c 'import pytest' 2>/dev/null || apt_install python3-pytest
  /usr/bin/python3 -c 'import yaml' 2>/dev/null || apt_install python3-yaml
  /usr/bin/python3 -c 'import mypy.stubtest' 2>/dev/null || apt_install python3-mypy
  has_libpython /usr/bin/python3 || apt_install libpython3.11
  command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null || apt_install redis-server redis-tools
  if [ ! -x .tools/node_modules/.bin/pyright ]; then
    command -v npm >/dev/null || apt_install nodejs npm
    echo "ensure-deps: npm install pyright (into .tools/)" >&2
    npm install --silent --no-audit --no-fund --prefix .tools pyright@1 >/dev/null
  fi
fi
