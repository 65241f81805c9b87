"""The script the ConfigMap ships (replace it with yours: configMapGenerator in kustomization.yaml).

GET /users/{id} answers JSON; GET /visits counts calls in the `shared` cache (Redis with the
with-redis variant, so every replica counts together).
"""

import json

from siphon import cache, http


@http.route("/users/{id}")
def user(req):
    return http.Response(200, {"content-type": "application/json"}, json.dumps({"id": req.path_params["id"]}))


@http.route("/visits")
async def visits(req):
    n = await cache.list_push("shared", "visits", "1")
    return http.Response(200, {"content-type": "application/json"}, json.dumps({"visits": n}))
