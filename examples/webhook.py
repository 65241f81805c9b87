"""A webhook receiver guarded by a bearer-token middleware.

The token comes from the environment variable ``WEBHOOK_TOKEN`` (default
``secret``), read when the script loads. The middleware guards ``/webhook``
only: a missing or wrong ``Authorization: Bearer <token>`` is a 401 with
``WWW-Authenticate: Bearer``. ``POST /webhook`` takes a JSON object with a
string ``type`` and answers 202 ``{"received": "<type>"}``; ``GET /health``
is open.

    curl -i http://127.0.0.1:8080/health
    curl -i -X POST http://127.0.0.1:8080/webhook \\
         -H 'authorization: Bearer secret' -H 'content-type: application/json' \\
         -d '{"type": "push"}'
    curl -i -X POST http://127.0.0.1:8080/webhook -d '{"type": "push"}'   # 401
"""

import hmac
import json
import os

from siphon import http, log

TOKEN = os.environ.get("WEBHOOK_TOKEN", "secret")

GUARDED = ("/webhook",)


def text(status, body, headers=None):
    return http.Response(status, {"content-type": "text/plain; charset=utf-8", **(headers or {})}, body)


@http.middleware
def require_bearer_token(req):
    if req.path not in GUARDED:
        return None
    scheme, _, token = (req.header("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), TOKEN.encode()):
        return None
    log.warning(f"rejected {req.method} {req.path} from {req.client}: bad or missing token")
    return text(401, "unauthorized\n", {"www-authenticate": "Bearer"})


@http.route("/webhook", methods=["POST"])
def webhook(req):
    try:
        event = json.loads(req.body())
    except (UnicodeDecodeError, ValueError):
        return text(400, "body is not valid JSON\n")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return text(400, "expected a JSON object with a string \"type\"\n")
    log.info(f"webhook event {event['type']}")
    return http.Response(202, {"content-type": "application/json"}, json.dumps({"received": event["type"]}))


@http.route("/health")
def health(req):
    return text(200, "ok\n")
