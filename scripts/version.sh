#!/usr/bin/env bash
# Prints Siphon's version: Directory.Build.props' <Version>, the one place it is kept (`siphon
# --version`, the .NET and Python packages, the release tarball's name, the image's label).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")"
[ -n "$version" ] || { echo "version.sh: no <Version> in $root/Directory.Build.props" >&2; exit 1; }
echo "$version"
