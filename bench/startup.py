"""Launch to first answer: starts a server command, polls GET PATH on 127.0.0.1:PORT over a raw
socket every millisecond until a 200 comes back, records the time since the launch, stops the
server with SIGTERM and waits for it. Variants are interleaved over the rounds, so a busy moment
on a shared machine hits every variant alike. Run by bench/startup.sh; standard library only.

    python3 bench/startup.py --rounds 10 --port 18231 --path /hello \\
        --variant 'release=/opt/siphon/siphon run examples/hello.py --listen 127.0.0.1:{port}' \\
        --variant 'uvicorn=python3 -m uvicorn ... --port {port} starlette_app:app'

Prints one Markdown table row per variant: median, min, max (ms) of the wall time, and the median
CPU time the server had used by its first answer (user + system of the process and the children
it waited for, from /proc/PID/stat): on a shared machine the wall time moves with the load, the
CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import time


def answered(port: int, path: str) -> bool:
    """True once GET path answers 200; False while nothing listens or the answer is not 200."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            head = s.recv(64)
            return head.startswith(b"HTTP/1.1 200")
    except OSError:
        return False


_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """User + system CPU time of pid and its waited-for children so far, in ms."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime, stime, cutime, cstime are fields 14-17.
    return sum(int(x) for x in fields[11:15]) * _TICK_MS


def launch(command: list[str], port: int, path: str, timeout: float, env: dict[str, str]) -> tuple[float, float]:
    """Milliseconds from the launch of command to its first 200 on path, and its CPU ms by then."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)
    try:
        while not answered(port, path):
            if proc.poll() is not None:
                raise RuntimeError(f"{command[0]} exited ({proc.returncode}) before answering:\n"
                                   + proc.stderr.read().decode(errors="replace")[-2000:])
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"{command[0]} did not answer {path} within {timeout} s")
            time.sleep(0.001)
        return (time.perf_counter() - t0) * 1000, cpu_ms(proc.pid)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # uvicorn's reloader/workers, if any, with it
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", required=True, metavar="NAME=COMMAND",
                        help="a server command line; {port} is replaced by the port")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--port", type=int, default=18231)
    parser.add_argument("--path", default="/hello")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()

    variants = []
    for spec in args.variant:
        name, sep, command = spec.partition("=")
        if not sep or not command.strip():
            parser.error(f"--variant {spec!r}: expected NAME=COMMAND")
        variants.append((name, shlex.split(command.replace("{port}", str(args.port)))))
    if answered(args.port, args.path):
        parser.error(f"something already answers on 127.0.0.1:{args.port}")

    times: dict[str, list[float]] = {name: [] for name, _ in variants}
    cpu: dict[str, list[float]] = {name: [] for name, _ in variants}
    env = dict(os.environ)
    for r in range(1, args.rounds + 1):
        for name, command in variants:
            ms, used = launch(command, args.port, args.path, args.timeout, env)
            times[name].append(ms)
            cpu[name].append(used)
            print(f"round {r}/{args.rounds}: {name} {ms:.0f} ms (CPU {used:.0f} ms)", file=sys.stderr, flush=True)
            # The port must be free again (TIME_WAIT does not block a listener) before the next.
            deadline = time.perf_counter() + 10
            while answered(args.port, args.path) and time.perf_counter() < deadline:
                time.sleep(0.01)

    print("| variant | median ms | min ms | max ms | CPU ms (median) | launches |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, ms in times.items():
        print(f"| {name} | {statistics.median(ms):.0f} | {min(ms):.0f} | {max(ms):.0f} "
              f"| {statistics.median(cpu[name]):.0f} | {len(ms)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
