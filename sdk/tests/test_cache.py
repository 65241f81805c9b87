"""The mock siphon.cache: the shared contract table (tests/parity/cache_cases.json, also run
against the real host on the embedded store and Redis), and what tests set and inspect."""

import asyncio
import json
from pathlib import Path

import pytest

import siphon
from siphon_sdk import cache as mock_cache
from siphon_sdk.http_testing import ConfigError, HttpTestHarness

PARITY = Path(__file__).resolve().parents[2] / "tests" / "parity"
CASES = json.loads((PARITY / "cache_cases.json").read_text())

COUNTER = """\
from siphon import http, cache

@http.route("/hit/{who}")
async def hit(req):
    key = "hits:" + req.path_params["who"]
    n = await cache.list_push("c", key, "1")
    if n == 1:
        await cache.expire("c", key, 60)
    return http.Response(200, body=str(n))

@http.route("/session")
async def session(req):
    value = await cache.fetch("sessions", "u1")
    return http.Response(200 if value else 404, body=value or "")
"""


@pytest.mark.parametrize("label,name", [("configured", "c"), ("unknown", "nope")])
def test_the_contract_table(label, name):
    with HttpTestHarness() as h:
        h.cache.set_data("c", {})
        h.load_script(PARITY / "cache_app.py")
        r = h.request("GET", f"/contract/{name}")
        assert r.status == 200
        assert json.loads(r.body) == CASES[label]


def test_set_data_prefills_and_expirations_record_expire_calls(load):
    h = load(COUNTER)
    h.cache.set_data("c", {})
    h.cache.set_data("sessions", {"u1": '{"name": "ada"}'})
    assert h.request("GET", "/session").body == b'{"name": "ada"}'
    assert [h.request("GET", "/hit/a").body for _ in range(3)] == [b"1", b"2", b"3"]
    assert h.request("GET", "/hit/b").body == b"1"
    assert h.cache.expirations == [("c", "hits:a", 60), ("c", "hits:b", 60)]
    assert h.cache.data("c") == {"hits:a": ["1", "1", "1"], "hits:b": ["1"]}


def test_a_cache_never_created_answers_as_unknown(load):
    h = load(COUNTER)
    assert h.request("GET", "/session").status == 404
    assert h.request("GET", "/hit/a").body == b"None"
    assert h.cache.expirations == []
    assert not h.cache.has_cache("c")


def test_a_new_harness_starts_with_an_empty_cache(load):
    h = load(COUNTER)
    h.cache.set_data("c", {"k": "v"})
    h2 = load(COUNTER)
    assert not h2.cache.has_cache("c")
    assert h2.cache is h.cache  # one process-wide mock, as the runtime's store is per process


def test_ttls_expire(load, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(mock_cache.time, "monotonic", lambda: now[0])
    h = load(COUNTER)
    h.cache.set_data("c", {})
    assert h.request("GET", "/hit/a").body == b"1"
    now[0] += 59.9
    assert h.request("GET", "/hit/a").body == b"2"
    now[0] += 0.1
    assert h.request("GET", "/hit/a").body == b"1"  # the window ran out: a fresh list


def test_the_siphon_package_exposes_the_mock_as_the_runtime_does():
    from siphon import cache

    assert siphon.cache is cache
    assert cache.fetch == mock_cache.cache.fetch
    assert cache.CacheError is mock_cache.CacheError
    assert issubclass(cache.CacheError, Exception)
    assert cache.has_cache("nothing") is False


def test_bad_arguments_raise_like_the_runtime(load):
    h = load(COUNTER)
    h.cache.set_data("c", {})
    with pytest.raises(TypeError):
        asyncio.run(mock_cache.store("c", "k", 42))
    with pytest.raises(ValueError, match="reserved"):
        h.cache.set_data("c", {"siphon:x": "v"})


def test_config_creates_the_caches_of_its_cache_list_and_reset_empties_them():
    from siphon_sdk import mock_module

    config = {"cache": [{"name": "dedup", "url": "redis://127.0.0.1:6379/0", "local_ttl_secs": 60}, {"name": "sessions"}]}
    with HttpTestHarness(config=config) as h:
        h.load_source(COUNTER.replace('"c"', '"dedup"'))
        assert h.request("GET", "/hit/a").body == b"1"
        assert h.cache.has_cache("dedup") and h.cache.has_cache("sessions")
        h.reset()  # the config's caches exist again, empty
        assert h.cache.data("dedup") == {} and h.cache.expirations == []
        h.cache.set_data("other", {"k": "v"})
        mock_module.reset()
        assert not h.cache.has_cache("other")
    with pytest.raises(ConfigError, match=r"^config: cache\[0\]\.name: required key is missing$"):  # the host's words
        HttpTestHarness(config={"cache": [{"url": "redis://h"}]})
