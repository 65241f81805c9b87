"""Streams an upload to a file and answers with its size and SHA-256.

``stream=True`` dispatches the handler as soon as the request's headers are in;
``req.stream()`` then yields the body in chunks as they arrive, so an upload of
any size (up to the listener's ``max_body_bytes``, checked as it streams: 413)
is written to disk without ever being held whole. The file is written as
``NAME.part`` and renamed when complete; a failed or refused upload leaves
nothing behind. Files land in ``UPLOAD_DIR`` (default: the system temp dir).
File writes are plain blocking calls on the event loop: fine for a local
disk; for a slow filesystem hand them to a thread.

    curl -T big.iso http://127.0.0.1:8080/upload/big.iso
    # {"name": "big.iso", "bytes": 734003200, "sha256": "..."}
"""

import hashlib
import json
import os
import re
import tempfile

from siphon import http

UPLOAD_DIR = os.environ.get("UPLOAD_DIR", tempfile.gettempdir())
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@http.route("/upload/{name}", methods=["PUT", "POST"], stream=True)
async def upload(req):
    name = req.path_params["name"]
    if not SAFE_NAME.match(name):
        return http.Response(400, {"content-type": "text/plain"}, "bad file name\n")
    path = os.path.join(UPLOAD_DIR, name)
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path + ".part", "wb") as f:
            async for chunk in req.stream():
                digest.update(chunk)
                f.write(chunk)
                size += len(chunk)
    except BaseException:
        # Too large (http.BodyTooLargeError → 413), the client went away, or cancelled: no partial file.
        os.unlink(path + ".part")
        raise
    os.replace(path + ".part", path)
    body = json.dumps({"name": name, "bytes": size, "sha256": digest.hexdigest()})
    return http.Response(201, {"content-type": "application/json"}, body)
