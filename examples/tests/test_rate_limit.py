import pytest

KEY = {"x-api-key": "k1"}


@pytest.fixture
def limiter(script, monkeypatch):
    monkeypatch.setenv("RATE_LIMIT", "3")
    monkeypatch.setenv("RATE_WINDOW_SECS", "30")

    def make():
        h = script("rate_limit")
        h.cache.set_data("ratelimit", {})
        return h

    return make


def test_the_budget_is_counted_per_client_and_the_window_set_once(limiter):
    h = limiter()
    statuses = [h.request("GET", "/limited", headers=KEY).status for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert h.request("GET", "/limited", headers={"x-api-key": "k2"}).status == 200
    assert h.request("GET", "/limited", client="10.0.0.7:5555").headers["x-ratelimit-remaining"] == "2"
    assert h.cache.expirations == [("ratelimit", "rl:k1", 30), ("ratelimit", "rl:k2", 30), ("ratelimit", "rl:10.0.0.7", 30)]
    assert h.request("GET", "/usage/k1").body == b"5\n"


def test_429_says_when_to_retry(limiter):
    h = limiter()
    for _ in range(3):
        h.request("GET", "/limited", headers=KEY)
    r = h.request("GET", "/limited", headers=KEY)
    assert (r.status, r.headers["retry-after"], r.body) == (429, "30", b"too many requests\n")


def test_a_missing_cache_is_a_500_naming_it(script):
    h = script("rate_limit")
    assert h.request("GET", "/limited", headers=KEY).status == 500
    assert ("error", "no cache named 'ratelimit' in http.yaml") in h.log
