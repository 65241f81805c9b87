"""Where a launch's time goes: runs a Siphon command once under strace (execve, openat, bind,
accept4 of every thread; with --seccomp-bpf no other call stops), polls GET PATH until it answers, and turns the trace into phases by the
files each step opens first. strace slows every traced call, so the phases add up to more than an
untraced launch: read them as shares. Run by bench/startup.sh; standard library only.

    python3 bench/startup_phases.py --port 18232 -- siphon run examples/hello.py --listen 127.0.0.1:18232

Milestones (first match in the trace, in time order):
  exec            the launch
  managed Main    siphon.dll opened: the .NET runtime is up (hostfxr, coreclr, CoreLib)
  libpython       libpython3.X.so opened: config, logging, admin, python located
  siphon package  the runtime's python/siphon/__init__.py opened: CPython and pythonnet started
  script          the script opened: the siphon package (asyncio, inspect, ...) imported
  bind            the serving port bound: script loaded, on_startup run, Kestrel built and started
  answer          the first connection accepted and answered
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from startup import answered  # noqa: E402

LINE = re.compile(r"^(\d+)\s+(\d+\.\d+)\s+(\w+)\((.*)$")


def milestones(trace: str, script: str, port: int) -> list[tuple[str, float]]:
    found: dict[str, float] = {}
    query: list[float] = []

    def mark(name: str, t: float) -> None:
        found.setdefault(name, t)

    for line in trace.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        _, t, call, args = m.group(1), float(m.group(2)), m.group(3), m.group(4)
        if call == "execve":
            if "exec" not in found:
                mark("exec", t)
            elif "python" in args.split(",")[0]:
                query.append(t)  # the python executable asked for its libpython (PythonLocator)
        elif call == "openat" and "ENOENT" not in args:
            if re.search(r'/siphon\.dll"', args):
                mark("managed Main", t)
            elif re.search(r"/libpython3\.\d+\.so", args):
                mark("libpython", t)
            elif "python/siphon/__init__.py" in args:
                mark("siphon package", t)
            elif script in args:
                mark("script", t)
        elif call == "bind" and f"htons({port})" in args:
            mark("bind", t)
        elif call == "accept4" and "sin_port" in args and "bind" in found:
            mark("answer", t)
    order = ["exec", "managed Main", "libpython", "siphon package", "script", "bind", "answer"]
    missing = [m for m in order if m not in found]
    if missing:
        raise RuntimeError(f"not in the trace: {', '.join(missing)}")
    points = [(name, found[name]) for name in order]
    if query:
        points.append(("(python3 asked for its libpython at)", query[0]))
    return points


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/hello")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not shutil.which("strace"):
        parser.error("needs strace (apt-get install strace)")
    script = next((Path(a).name for a in command if a.endswith(".py")), None)
    if script is None:
        parser.error("the command names no .py script")

    with tempfile.TemporaryDirectory() as tmp:
        trace_file = Path(tmp, "trace")
        proc = subprocess.Popen(["strace", "-f", "--seccomp-bpf", "-ttt", "-e", "trace=execve,openat,bind,accept4", "-o", str(trace_file),
                                 *command], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        try:
            while not answered(args.port, args.path):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the server exited or did not answer within 60 s")
                time.sleep(0.001)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        points = milestones(trace_file.read_text(errors="replace"), script, args.port)

    t0 = points[0][1]
    print("| from | to | ms | share |")
    print("| --- | --- | ---: | ---: |")
    steps = points[:7]
    total = steps[-1][1] - t0
    for (a, ta), (b, tb) in zip(steps, steps[1:]):
        print(f"| {a} | {b} | {(tb - ta) * 1000:.0f} | {(tb - ta) / total:.0%} |")
    print(f"| exec | answer (traced) | {total * 1000:.0f} | |")
    for name, t in points[7:]:
        print(f"\n{name} {(t - t0) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
