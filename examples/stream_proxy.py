"""Streams a large download from the named client ``files`` through to the caller.

``client.stream()`` returns as soon as the upstream's head is in; the handler
answers with a Response whose body is an async generator relaying
``aiter_bytes()``, so the host writes each chunk to the caller as it comes and
asks the upstream for more only as fast as the caller reads (backpressure). The
upstream connection is released when the relay ends, fails or the caller goes
away. The upstream's status and content headers come through; an unreachable
upstream is a 502.

    curl -o big.iso http://127.0.0.1:8080/files/big.iso
"""

import contextlib

from siphon import http

files = http.Client("files")  # clients.files.base_url in http.yaml

PASSED_HEADERS = ("content-type", "etag", "last-modified", "content-disposition")


@http.route("/files/{*path}")
async def download(req):
    stack = contextlib.AsyncExitStack()
    try:
        upstream = await stack.enter_async_context(files.stream("GET", "/" + req.path_params["path"]))
    except http.ClientError as exc:
        return http.Response(502, {"content-type": "text/plain"}, f"upstream unavailable: {exc}\n")

    async def relay():
        async with stack:  # releases the upstream response when the relay ends, however it ends
            async for chunk in upstream.aiter_bytes():
                yield chunk

    headers = {k: v for k, v in upstream.headers.items() if k in PASSED_HEADERS}
    return http.Response(upstream.status, headers, body=relay())
