"""A signed SMS-style webhook: a form post, checked, answered with a reply.

SMS and voice platforms call back with an ``application/x-www-form-urlencoded`` POST (``From``,
``To``, ``Body``, and a ``MediaUrl`` per attachment) signed with a shared secret: the
``X-Sms-Signature`` header is the base64 HMAC-SHA1 of the public URL followed by every
parameter's name and value, names sorted (the scheme Twilio uses). ``SMS_SECRET`` (default
``secret``) is the key and ``PUBLIC_URL`` (default ``http://127.0.0.1:8080``) the address the
platform was given. A bad or missing signature is a 403 (``http.HTTPException``); a body that is
not a form a 400 (``http.BadRequestError`` from ``req.form()``). A wrapper gives every answer an
``X-Request-Id`` (the caller's, or a new one) that the handler reads with ``req.header()``.

    sig=$(printf '%s' 'http://127.0.0.1:8080/smsBodyhelloFrom+15550001' | openssl dgst -sha1 -hmac secret -binary | base64)
    curl -i -X POST http://127.0.0.1:8080/sms --data-urlencode From=+15550001 -d Body=hello -H "x-sms-signature: $sig"
"""

import base64
import hashlib
import hmac
import os
import uuid
from xml.sax.saxutils import escape

from siphon import http, log

SECRET = os.environ.get("SMS_SECRET", "secret").encode()
PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:8080").rstrip("/")


def signature(url, pairs):
    """base64(HMAC-SHA1(secret, url + name1 + value1 + ...)), names sorted, values in order."""
    data = url + "".join(name + value for name, value in sorted(pairs, key=lambda p: p[0]))
    return base64.b64encode(hmac.new(SECRET, data.encode(), hashlib.sha1).digest()).decode()


@http.middleware
async def request_id(req: http.Request, call_next: http.CallNext) -> http.Response:
    rid = req.header("x-request-id") or uuid.uuid4().hex
    req.headers["x-request-id"] = rid  # what the handler's req.header("x-request-id") reads
    resp = await call_next(req)
    return resp.replace(headers={**resp.headers, "x-request-id": rid})


@http.route("/sms", methods=["POST"])
def sms(req):
    form = req.form()  # BadRequestError (400) unless the body is a form
    pairs = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
    sent = req.header("x-sms-signature") or ""
    if not hmac.compare_digest(sent, signature(PUBLIC_URL + req.path, pairs)):
        log.warning(f"{req.header('x-request-id')}: /sms from {req.client} with a bad signature")
        raise http.HTTPException(403, "bad signature")
    media = form.getlist("MediaUrl")
    log.info(f"{req.header('x-request-id')}: SMS from {form['From']}, {len(media)} attachment(s)")
    reply = f"Got it: {form.get('Body', '')}" + (f" and {len(media)} attachment(s)" if media else "")
    return http.Response(200, {"content-type": "application/xml"},
                         f"<Response><Message>{escape(reply)}</Message></Response>")

