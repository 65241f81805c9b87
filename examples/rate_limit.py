"""A per-client request budget kept in ``siphon.cache``, exact across workers that share the store.

Each client (the ``x-api-key`` header, else the peer address) may make ``RATE_LIMIT`` requests
(environment variable, default 5) per ``RATE_WINDOW_SECS`` (default 60) to ``GET /limited``;
past that the answer is 429 with ``retry-after``. The count is the length ``cache.list_push``
returns: atomic across the workers of one process (embedded store: 1 worker or
``worker_mode: interpreters``) and across processes and replicas (Redis), unlike a module global,
which each worker has its own copy of. With the embedded store and ``workers: N`` as processes,
each process counts on its own (up to N × RATE_LIMIT get through). The first
request of a window sets the window's expiry. A cache outage answers 503 rather than letting
every request through. Needs a cache named ``ratelimit`` in http.yaml:

    cache:
      - name: ratelimit                         # embedded: shared by the workers of one process
      # - name: ratelimit
      #   url: "redis://127.0.0.1:6379/0"        # Redis: shared by every process

    curl -i -H 'x-api-key: k1' http://127.0.0.1:8080/limited    # 200, x-ratelimit-remaining: 4
    curl -i http://127.0.0.1:8080/usage/k1                        # requests k1 made this window
"""

import os

from siphon import cache, http, log

CACHE = "ratelimit"
LIMIT = int(os.environ.get("RATE_LIMIT", "5"))
WINDOW_SECS = int(os.environ.get("RATE_WINDOW_SECS", "60"))


def client_id(req):
    return req.header("x-api-key") or req.client.rsplit(":", 1)[0]


def text(status, body, headers=None):
    return http.Response(status, {"content-type": "text/plain; charset=utf-8", **(headers or {})}, body)


@http.route("/limited")
async def limited(req):
    key = f"rl:{client_id(req)}"
    try:
        count = await cache.list_push(CACHE, key, "1")
        if count is None:
            log.error(f"no cache named {CACHE!r} in http.yaml")
            return text(500, "rate limiter not configured\n")
        if count == 1:
            await cache.expire(CACHE, key, WINDOW_SECS)
    except cache.CacheError as e:
        log.warn(f"rate limiter unavailable: {e}")
        return text(503, "try again later\n", {"retry-after": "1"})
    if count > LIMIT:
        return text(429, "too many requests\n", {"retry-after": str(WINDOW_SECS)})
    return text(200, "ok\n", {"x-ratelimit-remaining": str(LIMIT - count)})


@http.route("/usage/{client}")
async def usage(req):
    n = await cache.list_len(CACHE, f"rl:{req.path_params['client']}")
    return text(200, f"{n or 0}\n")
