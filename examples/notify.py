"""Notifications relayed to an upstream service, written the way siphon-http scripts are.

``POST /notify/{channel}`` (``email``, ``sms`` or ``push``) with a JSON body
``{"to": ..., "text": ...}`` is relayed to the named client ``notifier``
(``clients.notifier`` in http.yaml) as ``POST /v1/{channel}``. The client is
made at module level, every client failure and every error status is caught
with ``except RuntimeError`` (siphon-http's idiom: ``http.ClientError`` and
``http.HttpStatusError`` both derive from it) and logged with ``log.warn``;
the caller then gets a 502. An ``idempotency-key`` header is passed on.

    curl -i -X POST 127.0.0.1:8080/notify/sms -d '{"to": "+15550100", "text": "hi"}'
    curl -i -X POST 127.0.0.1:8080/notify/fax -d '{"to": "x", "text": "hi"}'     # 404
    curl -i -X POST 127.0.0.1:8080/notify/sms -d '{"text": "no recipient"}'      # 400
"""

import json

from siphon import http, log

NOTIFIER = http.Client("notifier")

CHANNELS = ("email", "sms", "push")

JSON = {"content-type": "application/json"}


def answer(status, value):
    return http.Response(status, JSON, json.dumps(value))


@http.route("/notify/{channel}", methods=["POST"])
async def notify(req):
    channel = req.path_params["channel"]
    if channel not in CHANNELS:
        return answer(404, {"error": f"unknown channel {channel!r}", "channels": list(CHANNELS)})
    try:
        doc = json.loads(req.body())
    except ValueError:
        return answer(400, {"error": "body is not valid JSON"})
    if not isinstance(doc, dict) or not isinstance(doc.get("to"), str) or not isinstance(doc.get("text"), str):
        return answer(400, {"error": "body must be {\"to\": str, \"text\": str}"})

    headers = dict(JSON)
    key = req.header("idempotency-key")
    if key:
        headers["idempotency-key"] = key
    try:
        resp = await NOTIFIER.post(f"/v1/{channel}", body=json.dumps({"to": doc["to"], "text": doc["text"]}), headers=headers)
        resp.raise_for_status()
    except RuntimeError as e:
        log.warn(f"{channel} to {doc['to']} not relayed: {e}")
        return answer(502, {"error": "notifier unavailable"})
    notification = resp.headers.get("x-notification-id")
    log.info(f"{channel} to {doc['to']} relayed as {notification}")
    return answer(202, {"id": notification, "channel": channel})
