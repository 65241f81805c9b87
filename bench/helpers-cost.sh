#!/usr/bin/env bash
# What the request helpers cost (issue 29), run by hand, never by CI: req.json() on a 1 KiB JSON
# body against json.loads(req.body()), and req.form() on a 10-field urlencoded body against
# urllib.parse.parse_qs of the same bytes. The timing runs inside the host (bench/helpers_app.py,
# alternating blocks of 2000 calls, 21 rounds) on one request each; prints the JSON answers.
#   bench/helpers-cost.sh            # Release build of this worktree
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=$(mktemp -d)
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
dotnet build "$ROOT/Siphon.Runtime" -c Release -nologo -v q -clp:ErrorsOnly -o "$WORK/bin" >/dev/null
PORT=${PORT:-18329}
printf 'servers:\n  - listen: "127.0.0.1:%s"\n    request_timeout_ms: 600000\n' "$PORT" >"$WORK/http.yaml"
dotnet "$WORK/bin/siphon.dll" run "$ROOT/bench/helpers_app.py" --config "$WORK/http.yaml" >"$WORK/log" 2>&1 &
PID=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" && break; sleep 0.2; done

json=$(python3 -c '
import json
items = []
while len(json.dumps({"items": items + [{"id": len(items), "name": "item", "tags": ["a", "b"], "ok": True}]})) <= 1024:
    items.append({"id": len(items), "name": "item", "tags": ["a", "b"], "ok": True})
print(json.dumps({"items": items}))')
python3 -c 'import json,sys; json.loads(sys.argv[1]); assert 900 < len(sys.argv[1]) <= 1024' "$json"
form='From=%2B15550001&To=%2B15550002&Body=hello+world&MessageSid=SM123&AccountSid=AC456&NumMedia=0&FromCity=Paris&FromCountry=FR&ToCity=Lyon&ToCountry=FR'
echo "python: $(python3 -c 'import sys; print(sys.version.split()[0])'), $(nproc) cores, $(date -u +%FT%TZ)"
echo "req.json() on ${#json} bytes:      $(curl -s -X POST "http://127.0.0.1:$PORT/json" -H 'content-type: application/json' --data-binary "$json")"
echo "req.form() on 10 fields (${#form} B): $(curl -s -X POST "http://127.0.0.1:$PORT/form" -H 'content-type: application/x-www-form-urlencoded' --data-binary "$form")"
