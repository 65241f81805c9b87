#!/usr/bin/env bash
# The reliability suite (tests/Siphon.Runtime.Tests/Reliability/) in its long form: the soak runs
# 60 s instead of 10. ./test runs the short form on every CPython it tests. Run by hand:
#   scripts/reliability.sh                  # with $SIPHON_PYTHON, else python3 on PATH
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh test
dotnet build Siphon.sln -nologo -v q -clp:ErrorsOnly
SIPHON_RELIABILITY=long dotnet test tests/Siphon.Runtime.Tests --no-build -nologo \
  --filter "FullyQualifiedName~Siphon.Runtime.Tests.Reliability" --logger "console;verbosity=normal" \
  | grep -E '^(soak|drain|upstream faults|worker crash|slowloris|slow reader)|Passed!|Failed!|\[FAIL\]|Total tests|Passed:|Failed:' 
