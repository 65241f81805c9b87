"""The mixed load of bench/mixed.sh and of the functional test beside it: a CPU-bound `async def`
route that holds the loop for ~5 ms, 20 `def` routes that sleep 200 ms each (on the sync pool),
and a fast `async def` route whose latency is what the bench reports."""
import time

from siphon import http


@http.route("/cpu")
async def cpu(req):
    end = time.perf_counter() + 0.005  # pure Python on the loop: nothing else runs on it meanwhile
    n = 0
    while time.perf_counter() < end:
        n += 1
    return http.Response(body=str(n))


def _sleeper(i):
    def sleepy(req):
        time.sleep(0.2)
        return http.Response(body=f"slept {i}")
    sleepy.__name__ = f"sleep_{i}"
    return sleepy


for _i in range(20):
    http.route(f"/sleep/{_i}")(_sleeper(_i))


@http.route("/fast")
async def fast(req):
    return http.Response(body="fast")
