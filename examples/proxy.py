"""A reverse proxy: every path and common method forwarded to the named client ``upstream``.

The catch-all route ``/{*path}`` sends the method, the body, the query string
and the request headers minus the hop-by-hop ones (and ``host`` /
``content-length``, which the client sets) to ``clients.upstream`` in
http.yaml, adding the caller to ``x-forwarded-for``. The upstream's status,
body and content-type come back; an unreachable upstream is a 502. HEAD is
served by the GET route (the host drops the body). Limits of this sketch:
the path is re-encoded from the decoded params, so an encoded ``%2F`` reaches
the upstream as ``/``, and a repeated query key keeps only its last value.

    curl -i 'http://127.0.0.1:8080/anything/here?x=1'
    curl -i -X POST http://127.0.0.1:8080/api/things -H 'content-type: application/json' -d '{"a": 1}'
    curl -I http://127.0.0.1:8080/anything
"""

from urllib.parse import quote, urlencode

from siphon import http, log

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
    # set by the outbound client itself
    "host",
    "content-length",
}


def forward_headers(req):
    drop = HOP_BY_HOP | {h.strip().lower() for h in req.headers.get("connection", "").split(",")}
    headers = {k: v for k, v in req.headers.items() if k not in drop}
    peer = req.client.rsplit(":", 1)[0]
    forwarded = headers.get("x-forwarded-for")
    headers["x-forwarded-for"] = f"{forwarded}, {peer}" if forwarded else peer
    return headers


@http.route("/{*path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def proxy(req):
    target = "/" + quote(req.path_params["path"], safe="/")
    if req.query_params:
        target += "?" + urlencode(req.query_params)
    headers = forward_headers(req)
    upstream = http.Client("upstream")
    try:
        if req.method in ("GET", "HEAD"):
            resp = await upstream.get(target, headers=headers)
        elif req.method == "DELETE":
            resp = await upstream.delete(target, headers=headers)
        else:
            send = {"POST": upstream.post, "PUT": upstream.put, "PATCH": upstream.patch}[req.method]
            resp = await send(target, body=req.body(), headers=headers)
    except http.ClientError as exc:
        log.warning(f"upstream failed for {req.method} {target}: {exc!r}")
        return http.Response(502, {"content-type": "text/plain; charset=utf-8"}, "bad gateway\n")
    out = {k: v for k, v in resp.headers.items() if k.lower() == "content-type"}
    return http.Response(resp.status, out, resp.body)
