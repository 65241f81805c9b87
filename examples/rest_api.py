"""An in-memory REST resource, plus a route that calls an upstream service.

Items live in a module global: one copy per worker, gone on restart (state
that must be shared belongs in an external store; see docs/script-api.md, "State and workers").
``GET /users/{id}`` fetches ``/v1/users/{id}`` through the named client
``users`` (``clients.users`` in http.yaml) and passes the upstream's status,
body and content-type back; an unreachable upstream is a 502.

    curl -i -X PUT http://127.0.0.1:8080/items/1 \\
         -H 'content-type: application/json' -d '{"name": "apple", "qty": 3}'
    curl -i http://127.0.0.1:8080/items/1
    curl -i 'http://127.0.0.1:8080/items?limit=10'
    curl -i -X DELETE http://127.0.0.1:8080/items/1
    curl -i -X PUT http://127.0.0.1:8080/items/2 -d 'not json'     # 400
    curl -i 'http://127.0.0.1:8080/items?limit=-1'                 # 400
    curl -i http://127.0.0.1:8080/users/42
"""

import json
import re
from urllib.parse import quote

from siphon import http, log

ITEMS: dict[str, dict] = {}

JSON = {"content-type": "application/json"}


def json_response(status, value):
    return http.Response(status, JSON, json.dumps(value))


def error(status, message):
    return json_response(status, {"error": message})


@http.route("/items")
def list_items(req):
    raw = req.query_params.get("limit")
    items = list(ITEMS.values())
    if raw is not None:
        if not re.fullmatch(r"[0-9]{1,9}", raw):
            return error(400, "limit must be a non-negative integer")
        items = items[: int(raw)]
    return json_response(200, items)


@http.route("/items/{id}", methods=["GET", "PUT", "DELETE"])
def item(req):
    item_id = req.path_params["id"]
    if req.method == "PUT":
        try:
            doc = json.loads(req.body())
        except (UnicodeDecodeError, ValueError):
            return error(400, "body is not valid JSON")
        if not isinstance(doc, dict):
            return error(400, "body must be a JSON object")
        doc["id"] = item_id
        ITEMS[item_id] = doc
        log.info(f"stored item {item_id}")
        return json_response(200, doc)
    if item_id not in ITEMS:
        return error(404, f"no item {item_id}")
    if req.method == "DELETE":
        del ITEMS[item_id]
        log.info(f"deleted item {item_id}")
        return http.Response(204)
    return json_response(200, ITEMS[item_id])


@http.route("/users/{id}")
async def user(req):
    path = "/v1/users/" + quote(req.path_params["id"], safe="")
    try:
        upstream = await http.Client("users").get(path, headers={"accept": "application/json"})
    except http.ClientError as exc:
        log.warning(f"users upstream failed: {exc!r}")
        return http.Response(502, {"content-type": "text/plain; charset=utf-8"}, "upstream unavailable\n")
    content_type = next(
        (v for k, v in upstream.headers.items() if k.lower() == "content-type"), "application/json"
    )
    return http.Response(upstream.status, {"content-type": content_type}, upstream.body)
