import base64
import hashlib
import hmac
from urllib.parse import urlencode

FORM = {"content-type": "application/x-www-form-urlencoded"}


def sign(pairs, path="/sms", secret=b"secret"):
    # The platform's side, computed independently of the script.
    data = "http://127.0.0.1:8080" + path + "".join(k + v for k, v in sorted(pairs, key=lambda p: p[0]))
    return base64.b64encode(hmac.new(secret, data.encode(), hashlib.sha1).digest()).decode()


def post(h, pairs, signature=None, **headers):
    return h.request("POST", "/sms", body=urlencode(pairs),
                     headers={**FORM, "x-sms-signature": signature or sign(pairs), **headers})


def test_a_signed_message_is_answered_with_its_reply_and_a_request_id(script):
    h = script("sms_webhook")
    pairs = [("From", "+15550001"), ("To", "+15550002"), ("Body", "hello <world>"),
             ("MediaUrl", "https://m/1.jpg"), ("MediaUrl", "https://m/2.jpg")]
    r = post(h, pairs, **{"x-request-id": "rid-7"})
    assert r.status == 200, r.body
    assert r.headers["content-type"] == "application/xml"
    assert r.body == b"<Response><Message>Got it: hello &lt;world&gt; and 2 attachment(s)</Message></Response>"
    assert r.headers["x-request-id"] == "rid-7"
    assert ("info", "rid-7: SMS from +15550001, 2 attachment(s)") in h.log


def test_a_bad_signature_is_a_403_with_a_request_id(script):
    h = script("sms_webhook")
    pairs = [("From", "+15550001"), ("Body", "hi")]
    r = post(h, pairs, signature=sign(pairs, secret=b"wrong"))
    assert (r.status, r.body) == (403, b"bad signature\n")
    assert len(r.headers["x-request-id"]) == 32
    tampered = post(h, [("From", "+15550009"), ("Body", "hi")], signature=sign(pairs))
    assert tampered.status == 403
    assert any(level == "warn" and "bad signature" in msg for level, msg in h.log)


def test_a_body_that_is_not_a_form_is_a_400(script):
    h = script("sms_webhook")
    r = h.request("POST", "/sms", body='{"From": "+1"}', headers={"content-type": "application/json"})
    assert r.status == 400
    assert r.body.startswith(b"bad request: req.form(): the body is not a form")

