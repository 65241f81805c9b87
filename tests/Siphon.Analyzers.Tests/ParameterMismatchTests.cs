using Siphon.Analyzers.Tests.Support;
using static Siphon.Analyzers.Tests.Support.Fixture;

namespace Siphon.Analyzers.Tests;

/// <summary>SIPH0003: parameter names, order, kinds or defaults differ.</summary>
public class ParameterMismatchTests
{
    private const string Id = RuleIdentifiers.ParameterMismatch;

    [Fact]
    public async Task An_extra_runtime_parameter()
    {
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "public Response RaiseForStatus()", "public Response [|RaiseForStatus|](bool strict = false)"),
            Mock, RuntimePy,
            (Id, $"Response.raise_for_status: the SDK mock (siphon_sdk/http.py:{LineOf(Mock, "def raise_for_status")}) takes (self) but the runtime takes (self, strict=False)"));
    }

    [Fact]
    public async Task A_keyword_only_parameter_that_the_mock_takes_positionally()
    {
        var mock = Replace(Mock, "async def get(self, path, *, headers", "async def get(self, path, headers");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "public Task<Response> Get(", "public Task<Response> [|Get|]("),
            mock, RuntimePy,
            (Id, $"Client.get: the SDK mock (siphon_sdk/http.py:{LineOf(mock, "async def get")}) takes (self, path, headers=None) but the runtime takes (self, path, *, headers=None)"));
    }

    [Fact]
    public async Task A_different_default_on_a_multi_line_constructor()
    {
        var mock = Replace(Mock, "backoff=0.50,", "backoff=1.5,");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "    public Client(string? name", "    public [|Client|](string? name"),
            mock, RuntimePy,
            (Id, $"Client.__init__: the SDK mock (siphon_sdk/http.py:{LineOf(mock, "def __init__(", after: LineOf(mock, "class MockClient"))}) takes (self, name=None, *, base_url=None, timeout_ms=None, http2_prior_knowledge=False, backoff=1.5, scheme=\"https\") but the runtime takes (self, name=None, *, base_url=None, timeout_ms=None, http2_prior_knowledge=False, backoff=0.5, scheme=\"https\")"));
    }

    [Fact]
    public async Task Different_parameter_names()
    {
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "public Task<bool> Exit(string? excType, string? exc, string? tb)", "public Task<bool> [|Exit|](string? type, string? value, string? traceback)"),
            Mock, RuntimePy,
            (Id, $"Client.__aexit__: the SDK mock (siphon_sdk/http.py:{LineOf(Mock, "async def __aexit__")}) takes (self, exc_type, exc, tb) but the runtime takes (self, type, value, traceback)"));
    }

    [Fact]
    public async Task A_different_order()
    {
        var mock = Replace(Mock, "def __init__(self, status=200, headers=None, body=None):", "def __init__(self, status=200, body=None, headers=None):");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "    public Response(long status", "    public [|Response|](long status"),
            mock, RuntimePy,
            (Id, $"Response.__init__: the SDK mock (siphon_sdk/http.py:{LineOf(mock, "def __init__(self, status=200")}) takes (self, status=200, body=None, headers=None) but the runtime takes (self, status=200, headers=None, body=None)"));
    }

    [Fact]
    public async Task Var_args_in_the_mock_are_drift()
    {
        var mock = Replace(Mock, "def header(self, name: str) -> str | None:", "def header(self, name: str, *args, **kwargs) -> str | None:");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "public string? Header(string name)", "public string? [|Header|](string name)"),
            mock, RuntimePy,
            (Id, $"Request.header: the SDK mock (siphon_sdk/http.py:{LineOf(mock, "def header")}) takes (self, name, *args, **kwargs) but the runtime takes (self, name)"));
    }

    [Fact]
    public async Task A_module_function_of_the_runtime_python_is_compared_too()
    {
        var runtimePy = Replace(RuntimePy, "def route(path: str, methods=None):", "def route(path: str, methods=None, *, name: str | None = None):");
        var d = Assert.Single(await DriftTest.RunAsync(CSharp(Types), Mock, runtimePy));
        Assert.Equal(Id, d.Id);
        Assert.Equal($"route: the SDK mock (siphon_sdk/http.py:{LineOf(Mock, "def route")}) takes (path, methods=None) but the runtime takes (path, methods=None, *, name=None)", d.GetMessage());
        Assert.Equal((DriftTest.RuntimePyPath, LineOf(runtimePy, "def route")), (d.Location.GetLineSpan().Path, d.Location.GetLineSpan().StartLinePosition.Line + 1));
    }
}
