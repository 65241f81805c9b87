"""The smallest Siphon script: a greeting and a JSON echo of a path param.

``GET /users/{id}`` is the route the load benchmarks hit.

    curl -i http://127.0.0.1:8080/hello
    curl -i http://127.0.0.1:8080/users/42
    curl -I http://127.0.0.1:8080/hello          # HEAD: served by the GET route, no body
    curl -i -X POST http://127.0.0.1:8080/hello  # 405, Allow: GET, HEAD
"""

import json

from siphon import http


@http.route("/hello")
def hello(req):
    return http.Response(200, {"content-type": "text/plain; charset=utf-8"}, "hello, world")


@http.route("/users/{id}")
def user(req):
    body = json.dumps({"id": req.path_params["id"]})
    return http.Response(200, {"content-type": "application/json"}, body)
