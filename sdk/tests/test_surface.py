"""The mock's public surface is exactly the contract's (the C# analyzer compares the same things)."""

import inspect

import pytest

import siphon
import siphon.http
import siphon.log
import siphon_sdk
from siphon_sdk import http, log

P = inspect.Parameter
POS = P.POSITIONAL_OR_KEYWORD
KW = P.KEYWORD_ONLY
EMPTY = P.empty


def params(fn):
    sig = inspect.signature(fn)
    return [(p.name, p.kind, p.default) for p in sig.parameters.values() if p.name != "self"]


def test_public_names():
    assert sorted(http.__all__) == sorted(
        [
            "MockRequest", "MockResponse", "MockClient", "HttpStatusError", "ClientError",
            "ConnectError", "ClientTimeoutError", "TlsError", "UnknownClientError", "Request", "Response", "Client",
            "route", "middleware", "on_startup", "on_shutdown",
            # streaming bodies (issue 14)
            "MockBodyStream", "MockClientStream", "MockStreamedResponse", "BodyStream", "ClientStream",
            "StreamedResponse", "BodyTooLargeError",
            # tracing (issue 31)
            "MockSpan", "Span",
            # call_next's public types (issue 29)
            "CallNext", "SyncCallNext",
            # request and response helpers (issue 29)
            "HTTPException", "BadRequestError", "JSONResponse", "FormData", "UploadFile", "read_multipart", "MultipartPart",
            # websockets (issue 28)
            "MockWebSocket", "WebSocket", "WebSocketDisconnect", "websocket",
        ]
    )
    assert sorted(log.__all__) == ["debug", "error", "info", "warn", "warning"]


def test_aliases():
    assert http.Request is http.MockRequest
    assert http.Response is http.MockResponse
    assert http.Client is http.MockClient


def test_siphon_package_reexports_the_mock():
    assert siphon.http.__name__ == "siphon.http" and siphon.log.__name__ == "siphon.log"
    for name in http.__all__:
        assert getattr(siphon.http, name) is getattr(http, name), name
    for name in log.__all__:
        assert getattr(siphon.log, name) is getattr(log, name), name
    from siphon import http as h, log as lg

    assert h.Response is http.MockResponse and lg.info is log.info
    assert siphon_sdk.http is http


def test_exception_hierarchy():
    # RuntimeError, as siphon-http raised: a ported `except RuntimeError:` still catches them.
    assert issubclass(http.ClientError, RuntimeError) and issubclass(http.HttpStatusError, RuntimeError)
    for cls in (http.ConnectError, http.ClientTimeoutError, http.TlsError, http.UnknownClientError):
        assert issubclass(cls, http.ClientError)
    assert issubclass(http.UnknownClientError, KeyError)
    assert str(http.UnknownClientError("unknown client 'x'")) == "unknown client 'x'"
    assert issubclass(http.ClientTimeoutError, TimeoutError)
    assert not issubclass(http.HttpStatusError, http.ClientError)


def test_request_signature():
    assert params(http.MockRequest.__init__) == [
        ("method", POS, "GET"),
        ("path", POS, "/"),
        ("path_params", KW, None),
        ("query_params", KW, None),
        ("headers", KW, None),
        ("body", KW, b""),
        ("client", KW, "127.0.0.1:0"),
        ("client_cert", KW, None),
        ("trace_id", KW, None),
        ("span_id", KW, None),
    ]
    for name in ("method", "path", "path_params", "query_params", "headers", "client", "client_cert"):
        assert isinstance(inspect.getattr_static(http.MockRequest, name), property), name
    assert params(http.MockRequest.body) == []
    assert params(http.MockRequest.header) == [("name", POS, EMPTY)]


def test_response_signature():
    assert params(http.MockResponse.__init__) == [
        ("status", POS, 200),
        ("headers", POS, None),
        ("body", POS, None),
    ]
    for name in ("status", "headers", "body"):
        assert isinstance(inspect.getattr_static(http.MockResponse, name), property), name
    assert params(http.MockResponse.raise_for_status) == []
    assert not inspect.iscoroutinefunction(http.MockResponse.raise_for_status)


def test_client_signature():
    assert params(http.MockClient.__init__) == [
        ("name", POS, None),
        ("base_url", KW, None),
        ("verify", KW, None),
        ("cert", KW, None),
        ("timeout_ms", KW, None),
        ("http2_prior_knowledge", KW, False),
    ]
    for name in ("name", "base_url"):
        assert isinstance(inspect.getattr_static(http.MockClient, name), property), name
    for name in ("get", "delete"):
        assert params(getattr(http.MockClient, name)) == [("path", POS, EMPTY), ("headers", KW, None)]
    for name in ("post", "put", "patch"):
        assert params(getattr(http.MockClient, name)) == [
            ("path", POS, EMPTY), ("body", KW, None), ("headers", KW, None)
        ]
    for name in ("get", "delete", "post", "put", "patch", "__aenter__", "__aexit__"):
        assert inspect.iscoroutinefunction(getattr(http.MockClient, name)), name
    assert params(http.MockClient.__aexit__) == [("exc_type", POS, EMPTY), ("exc", POS, EMPTY), ("tb", POS, EMPTY)]


def test_decorator_signatures():
    assert params(http.route) == [("path", POS, EMPTY), ("methods", POS, None), ("stream", POS, False)]
    for fn in (http.middleware, http.on_startup, http.on_shutdown):
        assert params(fn) == [("fn", POS, EMPTY)]
    for fn in (log.debug, log.info, log.warn, log.warning, log.error):
        assert params(fn) == [("msg", POS, EMPTY)]


@pytest.mark.parametrize(
    "obj",
    [http.MockRequest, http.MockResponse, http.MockClient, http.HttpStatusError, http.ClientError,
     http.ConnectError, http.ClientTimeoutError, http.TlsError, http.UnknownClientError,
     http.MockBodyStream, http.MockClientStream, http.MockStreamedResponse, http.BodyTooLargeError],
)
def test_every_public_class_and_member_has_a_docstring(obj):
    assert obj.__doc__ and obj.__doc__.strip()
    for name, member in vars(obj).items():
        if name.startswith("_") and name not in ("__init__", "__aenter__", "__aexit__"):
            continue
        if isinstance(member, property):
            member = member.fget
        if callable(member):
            assert member.__doc__ and member.__doc__.strip(), f"{obj.__name__}.{name}"


def test_functions_have_docstrings():
    for fn in (http.route, http.middleware, http.on_startup, http.on_shutdown, log.debug, log.info, log.warn, log.warning,
               log.error):
        assert fn.__doc__ and fn.__doc__.strip()


def test_version_is_siphons_one_version():
    import re
    from pathlib import Path

    props = Path(__file__).resolve().parents[2] / "Directory.Build.props"
    version = re.search(r"<Version>([^<]+)</Version>", props.read_text()).group(1)
    assert siphon_sdk.__version__ == version
