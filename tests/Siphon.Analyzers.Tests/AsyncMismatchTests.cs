using Siphon.Analyzers.Tests.Support;
using static Siphon.Analyzers.Tests.Support.Fixture;

namespace Siphon.Analyzers.Tests;

/// <summary>SIPH0004: sync in one, async in the other.</summary>
public class AsyncMismatchTests
{
    private const string Id = RuleIdentifiers.AsyncMismatch;

    [Fact]
    public async Task A_task_returning_method_the_mock_defines_with_plain_def()
    {
        var mock = Replace(Mock, "async def get(self", "def get(self");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "public Task<Response> Get(", "public Task<Response> [|Get|]("),
            mock, RuntimePy,
            (Id, $"Client.get: the SDK mock (siphon_sdk/http.py:{LineOf(mock, "def get(self")}) declares 'def' but the runtime's is 'async def'"));
    }

    [Fact]
    public async Task A_sync_method_the_mock_defines_with_async_def()
    {
        var mock = Replace(Mock, "    def raise_for_status(self)", "    async def raise_for_status(self)");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "public Response RaiseForStatus()", "public Response [|RaiseForStatus|]()"),
            mock, RuntimePy,
            (Id, $"Response.raise_for_status: the SDK mock (siphon_sdk/http.py:{LineOf(mock, "def raise_for_status")}) declares 'async def' but the runtime's is 'def'"));
    }

    [Theory]
    [InlineData("Task")]
    [InlineData("ValueTask")]
    [InlineData("ValueTask<string?>")]
    public async Task Every_task_like_result_makes_an_async_def(string result)
    {
        var types = Replace(CSharp(Types), "[PyMethod] public string? Header(string name) => null;", $"[PyMethod] public {result} [|Header|](string name) => default!;");
        await DriftTest.VerifyAsync(types, Mock, RuntimePy,
            (Id, $"Request.header: the SDK mock (siphon_sdk/http.py:{LineOf(Mock, "def header")}) declares 'def' but the runtime's is 'async def'"));
    }

    [Fact]
    public async Task Both_async_and_parameter_drift_are_reported()
    {
        var mock = Replace(Mock, "async def get(self, path, *, headers", "def get(self, url, *, headers");
        var diagnostics = await DriftTest.RunAsync(CSharp(Types), mock, RuntimePy);
        Assert.Equal([Id, RuleIdentifiers.ParameterMismatch], diagnostics.Select(d => d.Id).OrderDescending());
    }
}
