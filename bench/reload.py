#!/usr/bin/env python3
"""Live reload's costs (issue 19), run by hand, never by CI: reload latency and what 100 reloads
leave behind, under a steady load (4 client threads on keep-alive connections).

    python3 bench/reload.py [--python PATH] [--edits 20] [--reloads 100] [--mode single|processes|interpreters]

Serves a script with `siphon run --reload`, then
1. edits the script EDITS times and times each save → the first answer of the new version (the
   poll tick, the quiet tick and the load; every worker is asked on fresh connections);
2. sends SIGHUP RELOADS times, each after the previous version answered, and prints Python's
   allocated blocks, its GC-tracked objects and the process's RSS after a 60-reload warm-up and at
   the end (single mode only: RSS and the Python counters are one process's).
Standard library only; uses the built host (Siphon.Runtime/bin/{Release,Debug}/net10.0/siphon.dll)."""
import argparse, http.client, os, signal, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = """import gc, os, sys, time
from siphon import http
VERSION = {v}
LOADED = str(time.monotonic_ns())
DATA = [f"item-{{i}}-{{LOADED}}" for i in range(4_000)]

@http.route("/v")
def v(req):
    return http.Response(body=f"{{VERSION}} {{LOADED}} {{os.getpid()}}-{{id(sys)}}")

@http.route("/a")
async def a(req):
    return http.Response(body=str(len(DATA)))

@http.route("/objects")
def objects(req):
    gc.collect()
    return http.Response(body=f"{{sys.getallocatedblocks()}} {{len(gc.get_objects())}}")
"""


def get(port, path, fresh=True):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", path, headers={"Connection": "close"} if fresh else {})
    r = c.getresponse()
    body = r.read().decode()
    c.close()
    return r.status, body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--python", default=os.environ.get("SIPHON_PYTHON", sys.executable))
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--reloads", type=int, default=100)
    ap.add_argument("--mode", choices=["single", "processes", "interpreters"], default="single")
    ap.add_argument("--port", type=int, default=18219)
    a = ap.parse_args()
    dll = next((p for p in (os.path.join(ROOT, f"Siphon.Runtime/bin/{c}/net10.0/siphon.dll") for c in ("Release", "Debug")) if os.path.exists(p)), None)
    if dll is None:
        sys.exit("reload.py: build Siphon.Runtime first (dotnet build Siphon.Runtime -c Release)")
    work = tempfile.mkdtemp(prefix="siphon-reload-bench-")
    script = os.path.join(work, "app.py")
    with open(script, "w") as f:
        f.write(SCRIPT.format(v=0))
    args = ["dotnet", dll, "run", script, "--listen", f"127.0.0.1:{a.port}", "--reload", "--python", a.python]
    if a.mode != "single":
        args += ["--workers", "2", "--worker-mode", a.mode]
    env = dict(os.environ, SIPHON_PYTHON="")
    server = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log = []
    threading.Thread(target=lambda: [log.append(l) for l in server.stdout], daemon=True).start()
    try:
        deadline = time.time() + 60
        while not any("listening on" in l for l in log):
            if time.time() > deadline or server.poll() is not None:
                sys.exit("".join(log))
            time.sleep(0.05)
        workers = set()
        while len(workers) < (1 if a.mode == "single" else 2):
            workers.add(get(a.port, "/v")[1].split()[2])

        stop = threading.Event()
        counts = {"ok": 0, "bad": 0}

        def load():
            c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
            i = 0
            while not stop.is_set():
                try:
                    c.request("GET", "/v" if i % 2 else "/a")
                    r = c.getresponse()
                    r.read()
                    counts["ok" if r.status == 200 else "bad"] += 1
                except (OSError, http.client.HTTPException):
                    counts["bad"] += 1
                    c = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
                i += 1

        threads = [threading.Thread(target=load, daemon=True) for _ in range(4)]
        for t in threads:
            t.start()

        first, every = [], []
        for v in range(1, a.edits + 1):
            time.sleep(0.2)
            t0 = time.perf_counter()
            with open(script, "w") as f:
                f.write(SCRIPT.format(v=v))
            seen = {}
            while True:
                body = get(a.port, "/v")[1].split()
                if int(body[0]) == v and not first[v - 1:v]:
                    first.append((time.perf_counter() - t0) * 1000)
                seen[body[2]] = int(body[0])
                if len(seen) == len(workers) and all(x == v for x in seen.values()):
                    every.append((time.perf_counter() - t0) * 1000)
                    break
        print(f"save → first answer of the new version: median {statistics.median(first):.0f} ms, max {max(first):.0f} ms ({a.edits} edits, {a.mode})")
        print(f"save → every worker answers it:        median {statistics.median(every):.0f} ms, max {max(every):.0f} ms")

        if a.mode == "single":
            def hups(n):
                t0 = time.perf_counter()
                for _ in range(n):
                    before = get(a.port, "/v")[1].split()[1]
                    server.send_signal(signal.SIGHUP)
                    while get(a.port, "/v")[1].split()[1] == before:
                        time.sleep(0.002)
                return (time.perf_counter() - t0) / n * 1000

            def measure():
                time.sleep(0.3)
                blocks, objects = map(int, get(a.port, "/objects")[1].split())
                rss = next(int(l.split()[1]) for l in open(f"/proc/{server.pid}/status") if l.startswith("VmRSS:"))
                return blocks, objects, rss

            hups(60)
            b0, o0, r0 = measure()
            per = hups(a.reloads)
            b1, o1, r1 = measure()
            print(f"SIGHUP → new answer: {per:.0f} ms per reload on average ({a.reloads} reloads)")
            print(f"after a 60-reload warm-up → after {a.reloads} more: allocated blocks {b0} → {b1} ({b1 - b0:+d}), "
                  f"gc objects {o0} → {o1} ({o1 - o0:+d}), RSS {r0 // 1024} → {r1 // 1024} MiB")
        stop.set()
        for t in threads:
            t.join()
        print(f"load: {counts['ok']} answered 200, {counts['bad']} failed")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


if __name__ == "__main__":
    main()
