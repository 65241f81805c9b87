#!/usr/bin/env bash
# Installs each release artifact into an empty directory outside the repository and uses it from
# there, as a user would (the full mode of the tests: `SIPHON_FULL=1 ./test` runs this too):
#
#   tarball  unpacked under /tmp; serves examples/hello.py and rest_api.py with no dotnet on PATH
#            (and no DOTNET_ROOT), answers, drains on SIGTERM and exits 0
#   tool     dotnet tool install into a fresh --tool-path from artifacts/ only (no other NuGet
#            source), serves a script copied into an empty directory
#   bindings an extension (examples/extensions/Acme.Pricing's source and its test double) built in
#            an empty directory against the Siphon.Bindings package from artifacts/ (its own NuGet
#            cache), served by the tarball's siphon with examples/extensions/pricing.py; a drifted
#            double fails its build
#   Python   the SDK's and stubs' wheels and sdists pip-installed offline into fresh venvs; an
#            example's tests pass against the installed SDK; pyright checks the examples (clean)
#            and a script with a mistake (reported) against the installed stubs
#   version  every artifact carries Directory.Build.props' <Version>, and `siphon --version` says it
#
#   scripts/release-test.sh                 # runs scripts/release.sh first (3-15 min), then ~1.5 min
#   SIPHON_RELEASE_REUSE=1 scripts/release-test.sh   # test the artifacts/ already there
# Python: $SIPHON_PYTHON, else /usr/bin/python3 (a shared libpython 3.11-3.13; ensure-deps installs it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${ARTIFACTS:-$root/artifacts}"
python="${SIPHON_PYTHON:-/usr/bin/python3}"
pyright="${PYRIGHT:-$root/.tools/node_modules/.bin/pyright}"
version="$("$root/scripts/version.sh")"
"$root/scripts/ensure-deps.sh" test >&2
if [ -z "${SIPHON_RELEASE_REUSE:-}" ] || [ ! -f "$out/SHA256SUMS" ]; then ARTIFACTS="$out" "$root/scripts/release.sh"; fi

tmp="$(mktemp -d /tmp/siphon-release-test.XXXXXX)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill -KILL "$server_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
failures=0 passed=0
ok() { passed=$((passed + 1)); echo "  ok   $*"; }
fail() { failures=$((failures + 1)); echo "  FAIL $*" >&2; }
check() { # DESCRIPTION COMMAND...: passes when COMMAND succeeds
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

# serve NAME DIR COMMAND...: starts COMMAND in DIR (a script on 127.0.0.1 port 0), waits until it
# prints its "listening on" line, sets URL; fails when it exits first or takes over 60 s.
serve() {
  local name=$1 dir=$2; shift 2
  (cd "$dir" && exec "$@") >"$tmp/$name.out" 2>"$tmp/$name.err" &
  server_pid=$!
  local deadline=$((SECONDS + 60))
  URL=""
  while [ -z "$URL" ]; do
    URL="$(sed -n 's/^siphon: listening on \(http:[^ ]*\).*/\1/p' "$tmp/$name.out" | head -1)"
    if [ -z "$URL" ] && ! kill -0 "$server_pid" 2>/dev/null; then
      fail "$name: exited before listening"; cat "$tmp/$name.err" >&2; server_pid=""; return 1
    fi
    if [ -z "$URL" ] && [ $SECONDS -ge $deadline ]; then fail "$name: not listening after 60 s"; return 1; fi
    [ -n "$URL" ] || sleep 0.05
  done
}

# stop NAME: SIGTERM, then the exit status must be 0 (drained and stopped cleanly).
stop() {
  kill -TERM "$server_pid"
  local rc=0
  wait "$server_pid" || rc=$?
  server_pid=""
  if [ $rc -eq 0 ]; then ok "$1: SIGTERM drains and exits 0"; else fail "$1: exit status $rc after SIGTERM"; cat "$tmp/$1.err" >&2; fi
}

body_is() { [ "$(curl -fsS "$1")" = "$2" ]; }

echo "== versions ($version)"
for f in "siphon-$version-linux-x64.tar.gz" "siphon.$version.nupkg" "Siphon.Bindings.$version.nupkg" "siphon_sdk-$version-py3-none-any.whl" \
         "siphon_sdk-$version.tar.gz" "siphon_stubs-$version-py3-none-any.whl" "siphon_stubs-$version.tar.gz"; do
  check "artifacts/$f" test -f "$out/$f"
done
check "SHA256SUMS verifies" bash -c "cd '$out' && sha256sum --quiet -c SHA256SUMS"

echo "== the tarball, no dotnet on PATH"
mkdir -p "$tmp/opt" "$tmp/nobin"
tar -xzf "$out/siphon-$version-linux-x64.tar.gz" -C "$tmp/opt"
home="$tmp/opt/siphon-$version-linux-x64"
bare=(env -i "PATH=$tmp/nobin" "HOME=$tmp" "SIPHON_PYTHON=$python")
check "dotnet is not on the test's PATH" bash -c "! PATH='$tmp/nobin' command -v dotnet"
check "bin/siphon --version says $version" test "$("${bare[@]}" "$home/bin/siphon" --version)" = "siphon $version"
if serve tarball-hello "$home/examples" "${bare[@]}" "$home/bin/siphon" run hello.py --listen 127.0.0.1:0; then
  check "tarball: GET /hello" body_is "$URL/hello" "hello, world"
  check "tarball: GET /users/42" body_is "$URL/users/42" '{"id": "42"}'
  stop tarball-hello
fi
if serve tarball-rest "$home/examples" "${bare[@]}" "$home/bin/siphon" run rest_api.py --listen 127.0.0.1:0; then
  check "tarball: PUT then GET /items/1 (rest_api.py)" bash -c \
    "curl -fsS -X PUT '$URL/items/1' -d '{\"name\": \"widget\"}' >/dev/null && curl -fsS '$URL/items/1' | grep -q widget"
  stop tarball-rest
fi

echo "== the .NET tool, into a fresh tool path"
cat >"$tmp/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources><clear /><add key="artifacts" value="$out" /></packageSources>
</configuration>
EOF
mkdir -p "$tmp/app"
cp "$root/examples/hello.py" "$tmp/app/app.py"
if (cd "$tmp" && DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet tool install siphon --tool-path "$tmp/tools" --configfile "$tmp/nuget.config" --version "$version") >"$tmp/tool.log" 2>&1; then
  ok "dotnet tool install siphon --tool-path (artifacts/ the only source)"
  check "tool: siphon --version says $version" test "$("$tmp/tools/siphon" --version)" = "siphon $version"
  if serve tool "$tmp/app" env "SIPHON_PYTHON=$python" "$tmp/tools/siphon" run app.py --listen 127.0.0.1:0; then
    check "tool: GET /hello from a directory of its own" body_is "$URL/hello" "hello, world"
    stop tool
  fi
else
  fail "dotnet tool install"; cat "$tmp/tool.log" >&2
fi

echo "== an extension built against the Siphon.Bindings package"
# Not under $tmp, whose nuget.config clears every source but artifacts/: the package's own dependency
# (pythonnet) comes from the machine's NuGet sources, as it would for a user.
ext="$(mktemp -d /tmp/siphon-release-ext.XXXXXX)"
mkdir -p "$ext/doubles/acme"
cp "$root/examples/extensions/Acme.Pricing/Quote.cs" "$root/examples/extensions/pricing.py" "$ext/"
cp "$root/examples/extensions/tests/doubles/acme/pricing.py" "$ext/doubles/acme/"
cat >"$ext/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources><add key="artifacts" value="$out" /></packageSources>
</configuration>
EOF
cat >"$ext/Acme.Pricing.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <AllowUnsafeBlocks>true</AllowUnsafeBlocks>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Siphon.Bindings" Version="$version" />
    <AdditionalFiles Include="doubles/acme/pricing.py" />
  </ItemGroup>
</Project>
EOF
printf 'servers:\n  - listen: "127.0.0.1:0"\nextensions:\n  - bin/Release/net10.0/Acme.Pricing.dll\n' >"$ext/http.yaml"
# Its own NuGet cache: a package of the same version from an earlier release must not stand in.
build_ext() { (cd "$ext" && NUGET_PACKAGES="$ext/packages" DOTNET_CLI_TELEMETRY_OPTOUT=1 dotnet build -c Release -nologo -v q) >"$tmp/ext.log" 2>&1; }
if build_ext; then
  ok "an extension builds against Siphon.Bindings.$version.nupkg, its test double checked by the package's analyzer"
  if serve bindings "$ext" "${bare[@]}" "$home/bin/siphon" run pricing.py --config http.yaml; then
    check "bindings: the tarball's siphon serves the extension's type" bash -c \
      "curl -fsS '$URL/quotes/x?price=10&currency=GBP' | grep -q '\"total\": 7.9'"
    stop bindings
  fi
  sed -i 's/    async def price_in/    def price_in/' "$ext/doubles/acme/pricing.py"
  if build_ext; then fail "bindings: a double that drifted (def for async def) still built"
  elif grep -q SIPH0004 "$tmp/ext.log"; then ok "bindings: a double that drifted (def for async def) fails the build with SIPH0004"
  else fail "bindings: the drifted double's build failed without SIPH0004"; cat "$tmp/ext.log" >&2; fi
else
  fail "building an extension against the package"; cat "$tmp/ext.log" >&2
fi
rm -rf "$ext"

echo "== the Python packages, offline"
pip_env=(env PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1)
for kind in whl tar.gz; do
  venv="$tmp/sdk-$kind"
  /usr/bin/python3 -m venv --system-site-packages "$venv" # system site: Debian's pytest
  file=$([ $kind = whl ] && echo "siphon_sdk-$version-py3-none-any.whl" || echo "siphon_sdk-$version.tar.gz")
  cp "$out/$file" "$tmp/"
  if (cd "$tmp" && "${pip_env[@]}" "$venv/bin/pip" install -q --no-index "$file") >"$tmp/pip-sdk.log" 2>&1; then
    ok "pip install $file"
    check "sdk ($kind): siphon_sdk.__version__ is $version" test "$(cd "$tmp" && "$venv/bin/python" -c 'import siphon_sdk; print(siphon_sdk.__version__)')" = "$version"
  else
    fail "pip install $file"; cat "$tmp/pip-sdk.log" >&2
  fi
done
# A script repository of a user's: examples/ with its tests (one of them opens examples/rest_api.py
# from the directory above; the one that checks every example of the repository is left out).
mkdir -p "$tmp/scripts/examples/tests"
cp "$root/examples/hello.py" "$root/examples/rest_api.py" "$tmp/scripts/examples/"
cp "$root/examples/tests/conftest.py" "$root/examples/tests/test_hello.py" "$root/examples/tests/test_rest_api.py" "$tmp/scripts/examples/tests/"
check "sdk: the examples' tests pass against the installed SDK" \
  bash -c "cd '$tmp/scripts' && '$tmp/sdk-whl/bin/python' -m pytest -q -p no:cacheprovider examples/tests \
    --deselect examples/tests/test_hello.py::test_every_example_documents_curl_lines >'$tmp/pytest.log' 2>&1 || { cat '$tmp/pytest.log' >&2; false; }"

for kind in whl tar.gz; do
  venv="$tmp/stubs-$kind"
  /usr/bin/python3 -m venv "$venv" # stubs only: nothing else importable
  file=$([ $kind = whl ] && echo "siphon_stubs-$version-py3-none-any.whl" || echo "siphon_stubs-$version.tar.gz")
  cp "$out/$file" "$tmp/"
  if (cd "$tmp" && "${pip_env[@]}" "$venv/bin/pip" install -q --no-index "$file") >"$tmp/pip-stubs.log" 2>&1; then
    ok "pip install $file"
  else
    fail "pip install $file"; cat "$tmp/pip-stubs.log" >&2
  fi
done
cat >"$tmp/scripts/pyrightconfig.json" <<'EOF'
{"typeCheckingMode": "basic", "pythonVersion": "3.11", "reportMissingModuleSource": false, "exclude": ["examples/tests"]}
EOF
cat >"$tmp/scripts/examples/mistake.py" <<'EOF'
from siphon import http


@http.route("/x")
def x(req):
    return http.Response(status="200")  # a str status: the stubs say int
EOF
pyright_on() { (cd "$tmp/scripts" && "$pyright" --outputjson --pythonpath "$tmp/stubs-whl/bin/python" "$@") >"$tmp/pyright.json" || true; }
pyright_on examples/hello.py examples/rest_api.py
check "stubs: pyright finds siphon in the installed stubs, no errors in the examples" \
  "$python" -c "import json,sys; r=json.load(open('$tmp/pyright.json')); d=r['generalDiagnostics']; d and print(*d, sep='\n', file=sys.stderr); sys.exit(bool(d) or r['summary']['filesAnalyzed'] < 2)"
pyright_on examples/mistake.py
check "stubs: pyright reports the mistake (Response(status=str)) on its line" \
  "$python" -c "import json,sys; d=json.load(open('$tmp/pyright.json'))['generalDiagnostics']; sys.exit(not any(x['range']['start']['line'] == 5 and x['rule'] == 'reportArgumentType' for x in d))"

echo "== $passed passed, $failures failed"
[ $failures -eq 0 ]
