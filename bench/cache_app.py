"""bench/cache.sh's script: per-call cost of siphon.cache from Python, and routes with and
without one cache.fetch for wrk. Caches "mem" (embedded) and "red" (Redis) come from the config
bench/cache.sh writes."""
import time

from siphon import cache, http


async def _noop():
    return None


@http.route("/calls/{name}/{op}/{n}")
async def calls(req):
    """n sequential awaits of one operation; answers ns per call."""
    name, op, n = req.path_params["name"], req.path_params["op"], int(req.path_params["n"])
    await cache.store(name, "bench", "x" * 64)
    if op == "fetch":
        started = time.perf_counter_ns()
        for _ in range(n):
            await cache.fetch(name, "bench")
    elif op == "store":
        started = time.perf_counter_ns()
        for _ in range(n):
            await cache.store(name, "bench", "x" * 64)
    else:  # "await": the cost of awaiting a trivial coroutine, for scale
        started = time.perf_counter_ns()
        for _ in range(n):
            await _noop()
    return http.Response(200, body=f"{(time.perf_counter_ns() - started) / n:.1f}")


@http.route("/plain")
async def plain(req):
    return http.Response(200, body="x" * 64)


@http.route("/fetch/{name}")
async def fetch(req):
    return http.Response(200, body=await cache.fetch(req.path_params["name"], "bench") or "")
