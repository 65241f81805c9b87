"""The cache contract as one script, run by both sides (tests/parity/README.md, "Cache parity"):
``GET /contract/{name}`` runs every siphon.cache method on cache ``name`` (which must exist and be
empty, or be unknown to the host) and answers the JSON list of ``[step, result]`` pairs; an
exception is recorded as its class name. The expected lists are in cache_cases.json."""
import json

from siphon import cache, http


async def _steps(name):
    async def attempt(coro):
        try:
            return await coro
        except Exception as e:  # recorded, not raised: the table compares the exception's class
            return {"raised": type(e).__name__}

    out = []

    def note(step, value):
        out.append([step, value])

    note("has_cache", cache.has_cache(name))
    note("fetch absent", await attempt(cache.fetch(name, "k")))
    note("exists absent", await attempt(cache.exists(name, "k")))
    note("store", await attempt(cache.store(name, "k", "v1")))
    note("fetch", await attempt(cache.fetch(name, "k")))
    note("exists", await attempt(cache.exists(name, "k")))
    note("store again", await attempt(cache.store(name, "k", "v2", ttl=60)))
    note("fetch again", await attempt(cache.fetch(name, "k")))
    note("expire", await attempt(cache.expire(name, "k", 30)))
    note("expire absent", await attempt(cache.expire(name, "nope", 30)))
    note("delete", await attempt(cache.delete(name, "k")))
    note("fetch deleted", await attempt(cache.fetch(name, "k")))
    note("delete absent", await attempt(cache.delete(name, "k")))
    note("list_len absent", await attempt(cache.list_len(name, "q")))
    note("list_pop_all absent", await attempt(cache.list_pop_all(name, "q")))
    note("list_push 1", await attempt(cache.list_push(name, "q", "a")))
    note("list_push 2", await attempt(cache.list_push(name, "q", "b")))
    note("list_push 3", await attempt(cache.list_push(name, "q", "c")))
    note("list_len", await attempt(cache.list_len(name, "q")))
    note("list_push other", await attempt(cache.list_push(name, "q2", "x")))
    note("list_push unrelated", await attempt(cache.list_push(name, "r", "x")))
    note("list_len_sum", await attempt(cache.list_len_sum(name, "q")))
    note("list_len_sum glob", await attempt(cache.list_len_sum(name, "q*")))
    note("list_pop_all", await attempt(cache.list_pop_all(name, "q")))
    note("list_pop_all again", await attempt(cache.list_pop_all(name, "q")))
    note("list_len popped", await attempt(cache.list_len(name, "q")))
    note("store a string", await attempt(cache.store(name, "s", "str")))
    note("list_push onto a string", await attempt(cache.list_push(name, "s", "x")))
    note("fetch a list", await attempt(cache.fetch(name, "q2")))
    note("reserved key", await attempt(cache.fetch(name, "siphon:x")))
    note("reserved prefix", await attempt(cache.list_len_sum(name, "siphon:")))
    note("empty prefix", await attempt(cache.list_len_sum(name, "")))
    note("bad ttl", await attempt(cache.store(name, "t", "v", ttl=0)))
    note("CacheError is an Exception", issubclass(cache.CacheError, Exception))
    for key in ("q2", "r", "s"):
        await attempt(cache.delete(name, key))
    return out


@http.route("/contract/{name}")
async def contract(req):
    return http.Response(200, {"content-type": "application/json"}, json.dumps(await _steps(req.path_params["name"])))
