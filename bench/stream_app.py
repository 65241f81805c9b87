"""bench/stream.sh's script: the same two streaming routes as bench/peers/KestrelPeer.

POST /upload (stream=True) counts the body as it arrives; GET /download/{mib} streams MiB of
64 KiB chunks from an async generator."""
from siphon import http

BLOCK = bytes(65536)


@http.route("/upload", methods=["POST", "PUT"], stream=True)
async def upload(req):
    n = 0
    async for chunk in req.stream():
        n += len(chunk)
    return http.Response(200, {"content-type": "text/plain"}, str(n))


@http.route("/download/{mib}")
async def download(req):
    chunks = int(req.path_params["mib"]) * 16

    async def gen():
        for _ in range(chunks):
            yield BLOCK

    return http.Response(200, {"content-type": "application/octet-stream"}, body=gen())
