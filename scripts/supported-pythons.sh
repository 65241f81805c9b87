#!/usr/bin/env bash
# Prints the CPython minor versions the host supports ("3.11 3.12 3.13"), read from the one list in
# the code (Siphon.Runtime/Python/PythonLocator.cs, Supported), so scripts never repeat it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
line="$(grep -m1 'Version\[\] Supported = ' "$root/Siphon.Runtime/Python/PythonLocator.cs")"
versions="$(grep -o 'new([0-9]*, [0-9]*)' <<<"$line" | sed 's/new(\([0-9]*\), \([0-9]*\))/\1.\2/' | tr '\n' ' ')"
[ -n "$versions" ] || { echo "supported-pythons: no Supported list in PythonLocator.cs" >&2; exit 1; }
echo "${versions% }"
