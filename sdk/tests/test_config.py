"""http.yaml in the SDK as the host reads it: the shared table (tests/parity/config_cases.json, which
the C# tests hold ConfigLoader and EnvExpander to as well), config_path=, and ${VAR} in config=."""

import json
import re
from pathlib import Path

import pytest

from siphon_sdk import _config
from siphon_sdk.http import MockResponse
from siphon_sdk.http_testing import ConfigError, HttpTestHarness

TABLE = json.loads((Path(__file__).resolve().parents[2] / "tests" / "parity" / "config_cases.json").read_text(encoding="utf-8"))

CALL_UPSTREAM = """
from siphon import http

UPSTREAM = http.Client("upstream")

@http.route("/relay")
async def relay(req):
    r = await UPSTREAM.get("/items")
    return http.Response(r.status, body=r.body)
"""


@pytest.mark.parametrize("case", TABLE["expand"], ids=[c["text"] for c in TABLE["expand"]])
def test_expand_matches_the_host(case):
    if "error" in case:
        with pytest.raises(_config.ExpandError) as info:
            _config.expand(case["text"], case["env"])
        assert str(info.value) == case["error"]
    else:
        assert _config.expand(case["text"], case["env"]) == case["result"]


def _value(config, path):
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        config = config[int(part[1:-1])] if part.startswith("[") else config[part]
    return config


@pytest.mark.parametrize("case", TABLE["config"], ids=[c["name"] for c in TABLE["config"]])
def test_config_path_reads_as_the_host_does(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("http.yaml").write_text(case["yaml"], encoding="utf-8")
    if "error" in case:
        with pytest.raises(ConfigError) as info:
            HttpTestHarness(config_path="http.yaml", env=case["env"])
        assert str(info.value) == case["error"]
    else:
        with HttpTestHarness(config_path="http.yaml", env=case["env"]) as h:
            for path, expected in case["values"].items():
                assert _value(h.config, path) == expected, path


def test_the_table_is_well_formed():
    assert {c["name"] for c in TABLE["config"]} and len({c["name"] for c in TABLE["config"]}) == len(TABLE["config"])
    for case in TABLE["config"]:
        assert set(case) in ({"name", "yaml", "env", "values"}, {"name", "yaml", "env", "error"}), case["name"]
    for case in TABLE["expand"]:
        assert set(case) in ({"text", "env", "result"}, {"text", "env", "error"}), case["text"]


def test_an_outbound_call_goes_to_the_expanded_base_url(tmp_path, monkeypatch):
    config = tmp_path / "http.yaml"
    config.write_text('clients:\n  upstream:\n    base_url: "${UPSTREAM_URL:-http://127.0.0.1:9000}"\n', encoding="utf-8")
    monkeypatch.delenv("UPSTREAM_URL", raising=False)
    with HttpTestHarness(config_path=config) as h:
        h.load_source(CALL_UPSTREAM)
        h.add_response(MockResponse(200, body="[]"))
        assert h.request("GET", "/relay").status == 200
        assert h.sent_requests[0]["url"] == "http://127.0.0.1:9000/items"
    monkeypatch.setenv("UPSTREAM_URL", "https://staging.example.com")  # os.environ is the default env
    with HttpTestHarness(config_path=config) as h:
        h.load_source(CALL_UPSTREAM)
        h.request("GET", "/relay")
        assert h.sent_requests[0]["url"] == "https://staging.example.com/items"


def test_config_dicts_are_expanded_and_checked_too():
    parsed = {"clients": {"upstream": {"base_url": "${UPSTREAM_URL:-http://127.0.0.1:9000}", "timeout_ms": 5000}}}
    with HttpTestHarness(config=parsed, env={}) as h:
        assert h.config["clients"]["upstream"]["base_url"] == "http://127.0.0.1:9000"
        h.load_source(CALL_UPSTREAM)
        h.request("GET", "/relay")
        assert h.sent_requests[0]["url"] == "http://127.0.0.1:9000/items"
    with pytest.raises(ConfigError, match=r"^config: client: unknown key \(expected one of: .*\); did you mean 'clients'\?$"):
        HttpTestHarness(config={"client": {}})
    with pytest.raises(ConfigError, match=r"^config: servers\[0\]\.max_body_bytes: expected an integer, got '1\.5'$"):
        HttpTestHarness(config={"servers": [{"listen": "127.0.0.1:0", "max_body_bytes": 1.5}]})


def test_config_path_errors_name_the_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match=r"config file not found \(looked for .*nope\.yaml\)"):
        HttpTestHarness(config_path=missing)
    two = tmp_path / "two.yaml"
    two.write_text("workers: 1\n---\nworkers: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"two\.yaml:2: only one YAML document is allowed"):
        HttpTestHarness(config_path=two)
    with pytest.raises(TypeError, match="not both"):
        HttpTestHarness(config={}, config_path=two)


def test_the_repository_http_yaml_loads(monkeypatch):
    for name in ("USERS_API", "NOTIFIER_API"):
        monkeypatch.delenv(name, raising=False)
    repo_yaml = Path(__file__).resolve().parents[2] / "http.yaml"
    with HttpTestHarness(config_path=repo_yaml) as h:
        assert h.config["clients"]["users"]["base_url"] == "http://127.0.0.1:9000"
        assert [c["name"] for c in h.config["cache"]] == ["ratelimit"]


def test_without_pyyaml_the_error_says_what_to_install(tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_yaml(name, *args, **kwargs):
        if name == "yaml":
            raise ImportError("No module named 'yaml'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_yaml)
    (tmp_path / "http.yaml").write_text("workers: 1\n", encoding="utf-8")
    with pytest.raises(ImportError, match="python3-yaml"):
        HttpTestHarness(config_path=tmp_path / "http.yaml")
