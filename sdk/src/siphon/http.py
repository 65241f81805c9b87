"""``siphon.http`` under test: re-exports the mock from ``siphon_sdk.http``."""

from siphon_sdk.http import (  # noqa: F401
    BodyStream,
    BodyTooLargeError,
    Client,
    ClientStream,
    ClientError,
    ClientTimeoutError,
    ConnectError,
    HttpStatusError,
    MockClient,
    MockRequest,
    MockResponse,
    MockBodyStream,
    MockClientStream,
    MockStreamedResponse,
    Request,
    Response,
    StreamedResponse,
    TlsError,
    UnknownClientError,
    middleware,
    on_shutdown,
    on_startup,
    route,
)
from siphon_sdk.http import __all__  # noqa: F401
