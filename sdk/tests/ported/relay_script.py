"""A script written the way siphon-http's examples are (the SDK's ported-test fixture).

A module-level named client, ``log.warn``, ``except RuntimeError`` around the
client call, path params and a query parameter; the test beside it is written
against the original SDK's test API.
"""

import json

from siphon import http, log

RELAY = http.Client("relay")


@http.route("/accounts/{account}/messages", methods=["POST"])
async def send_message(req):
    account = req.path_params["account"]
    token = req.headers.get("authorization", "")
    if not token.startswith("Bearer "):
        log.warn(f"account {account}: no bearer token")
        return http.Response(status=401, body="unauthorized")
    payload = json.loads(req.body() or b"{}")
    try:
        resp = await RELAY.post(
            f"/v2/{account}/outbox",
            body=json.dumps({"to": payload.get("to"), "text": payload.get("text")}),
            headers={"Content-Type": "application/json", "Authorization": token},
        )
        resp.raise_for_status()
    except RuntimeError as e:
        log.warn(f"account {account}: relay failed: {e}")
        return http.Response(status=502, body="relay failed")
    log.info(f"account {account}: queued {resp.headers.get('x-message-id', '?')}")
    return http.Response(
        status=202,
        headers={"Content-Type": "application/json"},
        body=json.dumps({"id": resp.headers.get("x-message-id"), "priority": req.query_params.get("priority", "normal")}),
    )
