import json


def test_hello(script):
    h = script("hello")
    resp = h.request("GET", "/hello")
    assert resp.status == 200
    assert resp.body == b"hello, world"
    assert resp.headers["content-type"].startswith("text/plain")


def test_user_json(script):
    h = script("hello")
    resp = h.request("GET", "/users/42")
    assert resp.status == 200
    assert resp.headers["content-type"] == "application/json"
    assert json.loads(resp.body) == {"id": "42"}


def test_user_id_is_decoded(script):
    h = script("hello")
    assert json.loads(h.request("GET", "/users/a%20b").body) == {"id": "a b"}


def test_head_and_wrong_method(script):
    h = script("hello")
    head = h.request("HEAD", "/hello")
    assert (head.status, head.body) == (200, b"")
    post = h.request("POST", "/hello")
    assert post.status == 405 and post.headers["allow"] == "GET, HEAD"
    assert h.request("GET", "/nope").status == 404


def test_every_example_documents_curl_lines():
    import ast
    from pathlib import Path

    examples = Path(__file__).resolve().parents[1]
    scripts = sorted(p.name for p in examples.glob("*.py"))
    assert scripts == ["chat_room.py", "hello.py", "notify.py", "proxy.py", "rate_limit.py", "rest_api.py", "sms_webhook.py", "stream_proxy.py", "timing.py", "upload.py", "webhook.py"]
    cookbook = examples.parent / "docs" / "cookbook"
    for name in scripts:
        doc = ast.get_docstring(ast.parse((examples / name).read_text()))
        assert doc and "curl " in doc and "127.0.0.1:8080" in doc, name
        stem = name[: -len(".py")]
        assert (examples / "tests" / f"test_{stem}.py").is_file(), f"{name} has no SDK test"
        page = (cookbook / f"{stem}.md").read_text()  # a cookbook page per example
        assert f"examples/{name}" in page and "```yaml" in page and "curl " in page, f"docs/cookbook/{stem}.md"
