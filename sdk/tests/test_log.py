"""siphon.log goes to harness.log and to Python logging under the script's name."""

import logging

from siphon import log

LOG_APP = """\
from siphon import http, log

log.info("loading")

@http.route("/")
def r(req):
    log.debug("d")
    log.info("i")
    log.warning("w")
    log.warn("w2")
    log.error(42)
    return http.Response()
"""


def test_levels_captured_in_order(load):
    h = load(LOG_APP, filename="logged_app.py")
    assert h.log == [("info", "loading")]
    h.request("GET", "/")
    assert h.log == [("info", "loading"), ("debug", "d"), ("info", "i"), ("warn", "w"), ("warn", "w2"), ("error", "42")]
    assert h.log.messages is h.log  # the original SDK's spelling
    h.log.clear()
    assert h.log.messages == []


def test_python_logging_under_script_name(load, caplog):
    caplog.set_level(logging.DEBUG)
    h = load(LOG_APP, filename="dir/logged_app.py")
    h.request("GET", "/")
    records = [(r.name, r.levelno, r.getMessage()) for r in caplog.records if r.name != "asyncio"]
    assert records == [
        ("logged_app", logging.INFO, "loading"),
        ("logged_app", logging.DEBUG, "d"),
        ("logged_app", logging.INFO, "i"),
        ("logged_app", logging.WARNING, "w"),
        ("logged_app", logging.WARNING, "w2"),
        ("logged_app", logging.ERROR, "42"),
    ]


def test_dispatch_errors_go_to_the_same_log(load, caplog):
    h = load("from siphon import http\n@http.route('/')\ndef r(req):\n    raise RuntimeError('x')\n", filename="e.py")
    with caplog.at_level(logging.ERROR, logger="e"):
        h.request("GET", "/")
    assert caplog.records and "RuntimeError" in caplog.records[-1].getMessage()


def test_outside_a_harness_logs_to_siphon_logger(caplog):
    caplog.set_level(logging.DEBUG)
    log.warning("free")
    assert [(r.name, r.getMessage()) for r in caplog.records] == [("siphon", "free")]


def test_harnesses_keep_separate_logs(load):
    a = load(LOG_APP)
    b = load(LOG_APP)
    a.request("GET", "/")
    assert len(a.log) == 6 and b.log == [("info", "loading")]
