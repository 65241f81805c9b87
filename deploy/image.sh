#!/usr/bin/env bash
# Builds Siphon's container image (deploy/Dockerfile) here, where no container registry is
# reachable, and runs it: on a Debian base made from Debian's packages (mmdebstrap, imported into
# podman), from the release tarball (scripts/release.sh). Then checks, with the script and
# http.yaml deploy/k8s ships mounted read-only at /etc/siphon:
#   - the example answers through a published port on 127.0.0.1, and /readyz turns 200;
#   - it runs as uid 1654 (not root) on a read-only root filesystem;
#   - SIGTERM with a request in flight: /readyz answers 503, the request completes, exit status 0;
#   - the image's version label is the release's, and prints the image's size.
# Run by hand (about 2 min with the base and the release made; +80 s for the base, +3 min for the
# release), not by ./test:
#   deploy/image.sh               # build and check
#   deploy/image.sh --build-only
# podman on this machine kind: runc (crun refuses its hybrid cgroups), cgroupfs, and explicit
# ulimits (higher ones are refused).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
version="$(scripts/version.sh)"
out="${ARTIFACTS:-$root/artifacts}"
base="${SIPHON_IMAGE_BASE:-localhost/siphon-base:bookworm}"
image="localhost/siphon:$version"
podman=(podman --runtime runc --cgroup-manager cgroupfs)
limits=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)

for tool in podman:podman runc:runc mmdebstrap:mmdebstrap curl:curl; do
  command -v "${tool%%:*}" >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${tool#*:}"; }
done

# ---- the base: Debian bookworm, minbase + libpython3.11 (and its standard library) -------------
if ! podman image exists "$base"; then
  echo "image.sh: making $base with mmdebstrap (~80 s)" >&2
  tar="$(mktemp -d)/base.tar"
  mmdebstrap --variant=minbase --include=libpython3.11 bookworm "$tar" >&2
  podman import "$tar" "$base" >&2
  rm -rf "$(dirname "$tar")"
fi

# ---- the image -------------------------------------------------------------------------------
[ -f "$out/siphon-$version-linux-x64.tar.gz" ] || ARTIFACTS="$out" scripts/release.sh
echo "image.sh: building $image on $base" >&2
"${podman[@]}" build "${limits[@]}" -f deploy/Dockerfile --build-arg "BASE=$base" --build-arg "VERSION=$version" \
  -t "$image" "$out" >&2
size=$(podman image inspect --format '{{.Size}}' "$image")
base_size=$(podman image inspect --format '{{.Size}}' "$base")
echo "image.sh: $image is $((size / 1000000)) MB ($((base_size / 1000000)) MB of it the base)"
[ "${1:-}" = --build-only ] && exit 0

# ---- run and check ---------------------------------------------------------------------------
failures=0
ok() { echo "  ok   $*"; }
fail() { failures=$((failures + 1)); echo "  FAIL $*" >&2; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# until SECONDS COMMAND...: true once COMMAND succeeds, polled every 50 ms; false after SECONDS.
until_ok() { local deadline=$((SECONDS + $1)); shift; until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.05; done; }
status() { curl -s -o /dev/null -w '%{http_code}' "$1"; }

# The shipped script and http.yaml, with one slow route added to hold a request through SIGTERM.
etc="$(mktemp -d)"
name="siphon-image-check-$$"
trap 'podman rm -f "$name" >/dev/null 2>&1 || true; rm -rf "$etc"' EXIT
cp deploy/k8s/http.yaml "$etc/"
cp deploy/k8s/app.py "$etc/"
cat >>"$etc/app.py" <<'EOF'


import asyncio


@http.route("/slow")
async def slow(req):
    await asyncio.sleep(2)
    return http.Response(200, {"content-type": "text/plain"}, "slow done")
EOF
chmod -R a+rX "$etc"
port=$(free_port)
admin=$(free_port)
t0=$(date +%s%N)
"${podman[@]}" run -d --name "$name" "${limits[@]}" --read-only \
  -p "127.0.0.1:$port:8080" -p "127.0.0.1:$admin:9090" -v "$etc:/etc/siphon:ro" "$image" >/dev/null
ready() { [ "$(status "http://127.0.0.1:$admin/readyz")" = 200 ]; }
if until_ok 60 ready; then
  ok "/readyz turns 200 ($(( ($(date +%s%N) - t0) / 1000000 )) ms from podman run)"
else
  fail "/readyz not 200 within 60 s"; podman logs "$name" >&2
fi
answer="$(curl -fsS "http://127.0.0.1:$port/users/42" || true)"
[ "$answer" = '{"id": "42"}' ] && ok "GET /users/42 through 127.0.0.1:$port: $answer" || fail "GET /users/42: '$answer'"
uid="$("${podman[@]}" exec "$name" sh -c 'id -u' 2>&1 || true)"
[ "$uid" = 1654 ] && ok "runs as uid $uid (not root)" || fail "runs as uid '$uid'"
if "${podman[@]}" exec "$name" sh -c 'touch /opt/probe' 2>/dev/null; then fail "the root filesystem is writable"; else ok "the root filesystem is read-only"; fi
label="$(podman image inspect --format '{{index .Labels "org.opencontainers.image.version"}}' "$image")"
[ "$label" = "$version" ] && ok "label org.opencontainers.image.version=$label" || fail "version label '$label', not $version"

# SIGTERM with /slow in flight: not ready from then on, the request still answered, exit 0.
curl -sS -o "$etc/slow.out" -w '%{http_code}' "http://127.0.0.1:$port/slow" >"$etc/slow.status" 2>&1 &
curl_pid=$!
in_flight() { curl -fsS "http://127.0.0.1:$admin/metrics" 2>/dev/null | grep -q '^siphon_requests_in_flight{.*} 1'; }
until_ok 10 in_flight || fail "/slow never showed in flight"
"${podman[@]}" kill --signal TERM "$name" >/dev/null
draining() { [ "$(status "http://127.0.0.1:$admin/readyz")" = 503 ]; }
until_ok 5 draining && ok "/readyz answers 503 while draining" || fail "/readyz did not turn 503 after SIGTERM"
wait $curl_pid || true
[ "$(cat "$etc/slow.status")" = 200 ] && [ "$(cat "$etc/slow.out")" = "slow done" ] \
  && ok "the request in flight at SIGTERM completed (200)" || fail "in-flight request: $(cat "$etc/slow.status")"
rc="$("${podman[@]}" wait "$name")"
[ "$rc" = 0 ] && ok "exit status 0 after the drain" || { fail "exit status $rc"; podman logs "$name" >&2; }

[ $failures -eq 0 ] && echo "image.sh: all checks passed" || { echo "image.sh: $failures failed" >&2; exit 1; }
