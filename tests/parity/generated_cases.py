"""Generated inputs for the form, multipart and cookie parsers, with the SDK's answers.

``python3 generated_cases.py SEED COUNT`` (with the SDK's ``src`` on ``sys.path``) prints one JSON
object a line: ``kind`` (``urlencoded``, ``multipart``, ``cookie``), ``content_type``, ``body``
(base64), and ``expect``: the SDK's fields (``[name, value]`` or ``[name, [filename,
content_type, base64 data]]``), the cookie dict, or ``"error"``. The runtime's test
(tests/Siphon.Runtime.Tests/EndToEnd/ParserPropertyTests.cs) runs its own parsers on each input
and must get the same answer. Inputs are drawn to hit the edges: separators, quotes, spaces,
percent escapes (valid, truncated, non-UTF-8), CR/LF inside values, multipart parts without a
name, a disposition, a closing boundary; malformed ones included."""

import base64
import json
import random
import sys

from siphon_sdk import _forms, _messages

URL_ALPHABET = ["a", "b", "Z", "0", "=", "&", "+", "%", "%20", "%2", "%G1", "%C3%A9", "%E2%82%AC", "%FF", " ", "é", "~", ";"]
COOKIE_ALPHABET = ["a", "B", "1", "=", ";", " ", "\t", '"', "-", "_", ".", "%", ",", "é"]
TEXT_ALPHABET = ["x", "Y", "7", " ", "-", "--", "\r\n", "\n", "é", "=", ";", '"']


def draw(rng, alphabet, lo, hi):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(lo, hi)))


def urlencoded(rng):
    return "application/x-www-form-urlencoded", draw(rng, URL_ALPHABET, 0, 14).encode("utf-8")


def cookie(rng):
    lines = [draw(rng, COOKIE_ALPHABET, 0, 16) for _ in range(rng.randint(1, 2))]
    return None, "\n".join(lines).encode("utf-8")


def multipart(rng):
    boundary = rng.choice(["XyZ", "----b0und4ry", "a'b"])
    ct = f"multipart/form-data; boundary={boundary}" if rng.random() > 0.05 else "multipart/form-data"
    out = []
    for _ in range(rng.randint(0, 3)):
        headers = []
        r = rng.random()
        if r < 0.9:
            disposition = "form-data"
            if rng.random() < 0.95:
                disposition += f'; name="{draw(rng, ["n", "m", "1", " ", "-"], 1, 4)}"'
            if rng.random() < 0.4:
                disposition += f'; filename="{draw(rng, ["f", ".", "/", "t", " ", "é"], 1, 6)}"'
            headers.append(f"Content-Disposition: {disposition}")
        elif r < 0.95:
            headers.append('Content-Disposition: attachment; name="x"')
        if rng.random() < 0.3:
            headers.append(f"Content-Type: {rng.choice(['text/plain', 'application/octet-stream', 'image/png'])}")
        value = draw(rng, TEXT_ALPHABET, 0, 8)
        out.append(f"--{boundary}\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n" + value + "\r\n")
    ending = rng.random()
    tail = f"--{boundary}--\r\n" if ending < 0.85 else (f"--{boundary}--" if ending < 0.92 else "")
    return ct, ("".join(out) + tail).encode("utf-8")


def answer(kind, content_type, body):
    if kind == "cookie":
        return _messages.cookies([("cookie", line) for line in body.decode("utf-8").split("\n")])
    try:
        entries = _forms.parse(content_type, body)
    except ValueError:
        return "error"
    return [[n, v if isinstance(v, str) else [v[0], v[1], base64.b64encode(v[2]).decode()]] for n, v in entries]


def main():
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    kinds = [("urlencoded", urlencoded), ("multipart", multipart), ("cookie", cookie)]
    for i in range(count):
        kind, make = kinds[i % len(kinds)]
        content_type, body = make(rng)
        print(json.dumps({"kind": kind, "content_type": content_type, "body": base64.b64encode(body).decode(),
                          "expect": answer(kind, content_type, body)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
