"""Type-checked by pyright against the stubs beside it: the documented script API must type-check."""
from siphon import cache, http, log


@http.route("/orders/{id}", methods=["GET", "DELETE"])
async def order(req: http.Request) -> http.Response:
    if req.method == "DELETE":
        return http.Response(status=204)
    log.info(f"order {req.path_params['id']} from {req.client}")
    return http.Response(status=200, headers={"Content-Type": "application/json"},
                         body=f'{{"id": "{req.path_params["id"]}"}}')


@http.middleware
def guard(req: http.Request) -> http.Response | None:
    token: str | None = req.header("authorization")
    return None if token else http.Response(status=401)


@http.route("/users/{id}")
async def user(req: http.Request) -> http.Response:
    async with http.Client("users") as users:
        try:
            resp = await users.get(f"/v1/users/{req.path_params['id']}", headers={"accept": "application/json"})
            return http.Response(status=resp.status, body=resp.raise_for_status().body)
        except http.HttpStatusError as e:
            return http.Response(status=e.status)
        except http.ClientError:
            return http.Response(status=502)


@http.on_startup
async def started() -> None:
    client = http.Client(base_url="https://example.com", verify="ca.crt", cert=("c.crt", "c.key"), timeout_ms=2000)
    body: bytes = (await client.post("/x", body=b"1")).body
    log.debug(str(len(body)))


@http.route("/webhook", methods=["POST"])
async def webhook(req: http.Request) -> http.Response:
    delivery = req.header("x-delivery-id") or ""
    try:
        if await cache.exists("dedup", delivery):
            return http.Response(status=200, body="duplicate")
        stored: bool = await cache.store("dedup", delivery, "1", ttl=3600)
        count: int | None = await cache.list_push("hits", req.client, "1")
        items: list[str] = await cache.list_pop_all("hits", req.client)
        total: int | None = await cache.list_len_sum("hits", "10.")
        value: str | None = await cache.fetch("dedup", delivery)
        log.info(f"{stored} {count} {len(items)} {total} {value} {cache.has_cache('dedup')}")
    except cache.CacheError:
        return http.Response(status=503)
    return http.Response(status=202)
