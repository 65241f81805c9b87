"""Type-checked by pyright against the stubs beside it: the documented script API must type-check."""
from siphon import http, log


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
