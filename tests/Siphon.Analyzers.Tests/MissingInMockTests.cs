using Siphon.Analyzers.Tests.Support;
using static Siphon.Analyzers.Tests.Support.Fixture;

namespace Siphon.Analyzers.Tests;

/// <summary>SIPH0001: exported by the runtime, missing in the SDK mock.</summary>
public class MissingInMockTests
{
    private const string Id = RuleIdentifiers.MissingInMock;

    [Fact]
    public async Task A_method_missing_in_the_mock_is_reported_at_the_csharp_method()
    {
        var mock = Replace(Mock, """
                def raise_for_status(self) -> "MockResponse":
                    return self
            """, "");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "public Response RaiseForStatus()", "public Response [|RaiseForStatus|]()"),
            mock, RuntimePy,
            (Id, $"Response.raise_for_status: exported by the runtime (a method) but missing in the SDK mock (class MockResponse, siphon_sdk/http.py:{LineOf(mock, "class MockResponse")})"));
    }

    [Fact]
    public async Task A_property_and_an_async_method_missing_in_the_mock()
    {
        var types = Replace(CSharp(Types), "[PyProperty] public string? Name { get; }",
            "[PyProperty] public string? Name { get; }\n    [PyProperty] public string? [|BaseUrl|] => null;\n    [PyMethod] public ValueTask<Response> [|Delete|](string path) => default;");
        await DriftTest.VerifyAsync(types, Mock, RuntimePy,
            (Id, $"Client.base_url: exported by the runtime (a property) but missing in the SDK mock (class MockClient, siphon_sdk/http.py:{LineOf(Mock, "class MockClient")})"),
            (Id, $"Client.delete: exported by the runtime (an async method) but missing in the SDK mock (class MockClient, siphon_sdk/http.py:{LineOf(Mock, "class MockClient")})"));
    }

    [Fact]
    public async Task A_constructor_the_mock_lacks_is_reported_at_the_constructor()
    {
        var mock = Replace(Mock, """
                def __init__(self, status=200, headers=None, body=None):
                    self._status = status
            """, "");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "    public Response(long status", "    public [|Response|](long status"),
            mock, RuntimePy,
            (Id, $"Response.__init__: exported by the runtime (a constructor) but missing in the SDK mock (class MockResponse, siphon_sdk/http.py:{LineOf(mock, "class MockResponse")})"));
    }

    [Fact]
    public async Task A_class_without_a_mock_is_reported_at_the_class_name()
    {
        var types = CSharp(Types + """

            [PyClass("Cookie", Module = "siphon.http")]
            public sealed partial class [|Cookie|]
            {
                [PyProperty] public string Value => "";
            }
            """);
        await DriftTest.VerifyAsync(types, Mock, RuntimePy,
            (Id, "Cookie: exported by the runtime (a class) but missing in the SDK mock (no class MockCookie or Cookie in siphon_sdk/http.py)"));
    }

    [Fact]
    public async Task A_class_literally_named_like_the_runtime_type_counts_as_its_mock()
    {
        var mock = Replace(Replace(Mock, "class MockResponse:", "class Response_:"), "Response = MockResponse", "");
        Assert.Contains(await DriftTest.RunAsync(CSharp(Types), mock, RuntimePy), d => d.Id == Id && d.GetMessage().StartsWith("Response:", StringComparison.Ordinal));
        mock = Replace(Replace(Mock, "class MockResponse:", "class Response:"), "Response = MockResponse", "");
        Assert.Empty(await DriftTest.RunAsync(CSharp(Types), mock, RuntimePy));
    }

    [Fact]
    public async Task A_decorator_of_the_runtime_python_missing_in_the_mock_is_reported_at_its_python_line()
    {
        var runtimePy = RuntimePy + "\n\ndef on_shutdown(fn):\n    return fn\n";
        var d = Assert.Single(await DriftTest.RunAsync(CSharp(Types), Mock, runtimePy));
        var line = LineOf(runtimePy, "def on_shutdown");
        Assert.Equal(Id, d.Id);
        Assert.Equal($"on_shutdown: exported by the runtime (a function, python/siphon/http.py:{line}) but missing in the SDK mock (no function on_shutdown in siphon_sdk/http.py)", d.GetMessage());
        var span = d.Location.GetLineSpan();
        Assert.Equal(DriftTest.RuntimePyPath, span.Path);
        Assert.Equal(line, span.StartLinePosition.Line + 1);
    }

    [Fact]
    public async Task An_exception_class_of_the_runtime_python_missing_in_the_mock()
    {
        var runtimePy = RuntimePy + "\n\nclass ClientError(Exception):\n    pass\n";
        var d = Assert.Single(await DriftTest.RunAsync(CSharp(Types), Mock, runtimePy));
        Assert.Equal(Id, d.Id);
        Assert.Equal($"ClientError: exported by the runtime (a class, python/siphon/http.py:{LineOf(runtimePy, "class ClientError")}) but missing in the SDK mock (no class ClientError or MockClientError in siphon_sdk/http.py)", d.GetMessage());
    }
}
