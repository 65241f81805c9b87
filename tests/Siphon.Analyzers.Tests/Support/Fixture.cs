namespace Siphon.Analyzers.Tests.Support;

/// <summary>A small runtime surface and an SDK mock that matches it; tests seed one drift at a time.</summary>
internal static class Fixture
{
    public static string CSharp(string types) => $$"""
        using Siphon.Bindings;

        namespace Siphon.Runtime.Http;

        {{types}}
        """;

    /// <summary>The matching C# side. Markup-free; tests use <see cref="string.Replace(string, string)"/> to seed drift.</summary>
    public const string Types = """
        [PyClass("Request", Module = "siphon.http")]
        public sealed partial class Request
        {
            public Request(string method) { Method = method; }
            [PyProperty] public string Method { get; }
            [PyProperty] public string? ClientCert => null;
            [PyMethod] public ReadOnlyMemory<byte> Body() => default;
            [PyMethod] public string? Header(string name) => null;
        }

        [PyClass("Response", Module = "siphon.http")]
        public sealed partial class Response
        {
            [PyConstructor]
            public Response(long status = 200, IReadOnlyDictionary<string, string>? headers = null, ReadOnlyMemory<byte>? body = null) { }
            [PyProperty] public int Status { get; }
            [PyMethod] public Response RaiseForStatus() => this;
        }

        [PyClass("Client", Module = "siphon.http")]
        public sealed partial class Client
        {
            [PyConstructor]
            public Client(string? name = null, [PyKeywordOnly] string? baseUrl = null, long? timeoutMs = null, bool http2PriorKnowledge = false, double backoff = 0.5, string scheme = "https") { }
            [PyProperty] public string? Name { get; }
            [PyMethod] public Task<Response> Get(string path, [PyKeywordOnly] IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancel = default) => null!;
            [PyMethod("__aenter__")] public Task<Client> Enter() => Task.FromResult(this);
            [PyMethod("__aexit__")] public Task<bool> Exit(string? excType, string? exc, string? tb) => Task.FromResult(false); // types the generator binds: an unbindable member is not part of the surface
            public void NotBound() { }
        }

        [PyClass("Logger")]
        public sealed partial class Logger
        {
            [PyMethod] public void NotInTheHttpMock() { }
        }
        """;

    public const string Mock = """"
        "Mock siphon.http."
        from __future__ import annotations


        class HttpStatusError(Exception):
            """Raised for a status >= 400."""

            @property
            def status(self) -> int:
                return 0


        class MockRequest:
            """Only the mock can construct one."""

            def __init__(self, method="GET", path="/", *, headers=None):
                self._method = method

            @property
            def method(self) -> str:
                return self._method

            @property
            def client_cert(self) -> str | None:
                return None

            def body(self) -> bytes:
                return b""

            def header(self, name: str) -> str | None:
                def lower(s):
                    return s.lower()
                return None

            def _private_helper(self):
                pass


        class MockResponse:
            def __init__(self, status=200, headers=None, body=None):
                self._status = status

            @property
            def status(self) -> int:
                return self._status

            def raise_for_status(self) -> "MockResponse":
                return self


        class MockClient:
            def __init__(
                self,
                name=None,
                *,
                base_url=None,
                timeout_ms=None,
                http2_prior_knowledge=False,
                backoff=0.50,
                scheme='https',
            ):
                self._name = name

            @property
            def name(self) -> str | None:
                return self._name

            async def get(self, path, *, headers: dict[str, str] | None = None) -> MockResponse:
                return MockResponse()

            async def __aenter__(self):
                return self

            async def __aexit__(self, exc_type, exc, tb):
                return None


        def _where():
            return ""


        def route(path, methods=None):
            def decorator(fn):
                return fn

            return decorator


        def middleware(fn):
            return fn


        Request = MockRequest
        Response = MockResponse
        Client = MockClient
        """";

    public const string RuntimePy = """
        "The runtime's siphon.http."
        from siphon._native import Client, Request, Response


        class HttpStatusError(Exception):
            response: Response
            status: int


        def _where(depth=2):
            return depth


        def route(path: str, methods=None):
            def register(fn):
                return fn

            return register


        def middleware(fn):
            return fn
        """;

    /// <summary>1-based number of the first line of <paramref name="text"/> containing <paramref name="needle"/>.</summary>
    public static int LineOf(string text, string needle) => LineOf(text, needle, after: 0);

    /// <summary>The same, searching only the lines after line <paramref name="after"/>.</summary>
    public static int LineOf(string text, string needle, int after)
    {
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var i = after; i < lines.Length; i++)
            if (lines[i].Contains(needle, StringComparison.Ordinal)) return i + 1;
        throw new ArgumentException($"'{needle}' not found");
    }

    public static string Replace(string text, string oldValue, string newValue)
    {
        Assert.Contains(oldValue, text);
        return text.Replace(oldValue, newValue, StringComparison.Ordinal);
    }
}
