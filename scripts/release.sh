#!/usr/bin/env bash
# Makes every release artifact of Siphon into artifacts/ (git-ignored), all at the one version of
# Directory.Build.props (<Version>):
#
#   siphon-VERSION-linux-x64.tar.gz      self-contained composite ReadyToRun host (no .NET needed where it runs)
#                                        with the SDK's and the stubs' wheels and sdists beside it
#   siphon.VERSION.nupkg                 the host as a .NET tool: dotnet tool install --global siphon
#                                        --add-source artifacts
#   Siphon.Bindings.VERSION.nupkg        what an extension references: the binding runtime and, as
#                                        its analyzer, the generator
#   siphon_sdk-VERSION-py3-none-any.whl, siphon_sdk-VERSION.tar.gz
#   siphon_stubs-VERSION-py3-none-any.whl, siphon_stubs-VERSION.tar.gz
#                                        pip install them offline, anywhere
#   SHA256SUMS
#
#   scripts/release.sh     # 3-15 min here (composite ReadyToRun); scripts/release-test.sh installs, serves each
#   ARTIFACTS=DIR scripts/release.sh
# Needs the .NET 10 SDK (and nuget.org, or a cache holding the linux-x64 runtime packs) and python3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${ARTIFACTS:-$root/artifacts}"
version="$(scripts/version.sh)"
rid=linux-x64
name="siphon-$version-$rid"
# Reproducible archives: every timestamp is the commit's.
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}"
msbuild=(-nologo -v q "-clp:ErrorsOnly;NoSummary" -p:SiphonWriteStubs=false)

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out"
echo "release.sh: Siphon $version into $out" >&2

# ---- the Python packages (the SDK's standard-library backend, called as pip would) -------------
build_python() { # DIR BACKEND-MODULE
  (cd "$1" && python3 - "$out" "$2" <<'EOF'
import importlib, sys
sys.path.insert(0, "_build")
backend = importlib.import_module(sys.argv[2])
print(backend.build_wheel(sys.argv[1]))
print(backend.build_sdist(sys.argv[1]))
EOF
  ) >&2
}
build_python sdk siphon_build
build_python stubs siphon_stubs_build

# ---- the self-contained host --------------------------------------------------------------------
# Composite ReadyToRun: the framework and Siphon compiled as one unit, so the generic code they share
# is precompiled too; launch to first answer took 21 % less CPU than plain ReadyToRun (bench/README.md,
# "startup.sh"), for +24 MB and a longer publish.
echo "release.sh: dotnet publish ($rid, self-contained, composite ReadyToRun; several minutes)" >&2
dotnet publish Siphon.Runtime/Siphon.Runtime.csproj -c Release -r "$rid" --self-contained true \
  -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o "$work/$name/lib" "${msbuild[@]}" >&2
tree="$work/$name"
mkdir -p "$tree/bin"
ln -s ../lib/siphon "$tree/bin/siphon" # the apphost finds lib/ through /proc/self/exe, the link resolved
got="$("$tree/bin/siphon" --version)"
[ "$got" = "siphon $version" ] || { echo "release.sh: the published host says '$got', not 'siphon $version'" >&2; exit 1; }
# The committed stubs are what this binary generates (the same check the test suite makes).
"$tree/bin/siphon" stubs --out "$work/stubs-check" >/dev/null
diff -r -x __pycache__ "$work/stubs-check/siphon" stubs/siphon >&2 \
  || { echo "release.sh: stubs/ is stale; build Siphon.Runtime and commit stubs/" >&2; exit 1; }
mkdir -p "$tree/sdk" "$tree/stubs" "$tree/examples"
cp "$out"/siphon_sdk-"$version"* "$tree/sdk/"
cp "$out"/siphon_stubs-"$version"* "$tree/stubs/"
cp examples/*.py "$tree/examples/"
cp http.yaml "$tree/examples/http.yaml"
cp CHANGELOG.md "$tree/"
cat >"$tree/README.md" <<EOF
# Siphon $version ($rid)

A self-contained build: no .NET is needed. CPython 3.11, 3.12 or 3.13 with its shared library
(Debian: apt-get install libpython3.11) is; point --python or \$SIPHON_PYTHON at a python
executable or a libpython3.X.so file when python3 on PATH is not the one.

    bin/siphon --version
    cd examples && ../bin/siphon run hello.py          # serves on 127.0.0.1:8080 (examples/http.yaml)
    pip install stubs/siphon_stubs-$version-py3-none-any.whl   # type hints for scripts
    pip install sdk/siphon_sdk-$version-py3-none-any.whl       # HttpTestHarness: test scripts without a server

Put bin/ on PATH, or link lib/siphon from a directory on it. CHANGELOG.md lists what changed;
the repository's README ("Install") and docs/ are the documentation.
EOF
tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
  -C "$work" -czf "$out/$name.tar.gz" "$name"

# ---- the .NET tool ------------------------------------------------------------------------------
echo "release.sh: dotnet pack (the .NET tool)" >&2
dotnet pack Siphon.Runtime/Siphon.Runtime.csproj -c Release -p:SiphonTool=true -o "$out" "${msbuild[@]}" >&2

# ---- the package users' extensions build against (docs/extensions.md) ---------------------------
echo "release.sh: dotnet pack (Siphon.Bindings)" >&2
dotnet pack Siphon.Bindings/Siphon.Bindings.csproj -c Release -o "$out" "${msbuild[@]}" >&2

(cd "$out" && sha256sum -- * >SHA256SUMS)
echo "release.sh: done" >&2
ls -l "$out" >&2
