using Siphon.Analyzers.Tests.Support;
using static Siphon.Analyzers.Tests.Support.Fixture;

namespace Siphon.Analyzers.Tests;

/// <summary>SIPH0002: in the SDK mock, missing in the runtime.</summary>
public class MissingInRuntimeTests
{
    private const string Id = RuleIdentifiers.MissingInRuntime;

    [Fact]
    public async Task A_mock_only_member_is_reported_at_the_csharp_class()
    {
        var mock = Replace(Mock, "    def raise_for_status(self)", "    def json(self):\n        return None\n\n    def raise_for_status(self)");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "public sealed partial class Response", "public sealed partial class [|Response|]"),
            mock, RuntimePy,
            (Id, $"Response.json: defined in the SDK mock (a method, siphon_sdk/http.py:{LineOf(mock, "def json")}) but missing in the runtime (Siphon.Runtime.Http.Response has no [PyProperty], [PyMethod] or [PyConstructor] member named json)"));
    }

    [Fact]
    public async Task A_mock_only_dunder_counts_but_private_names_do_not()
    {
        var mock = Replace(Mock, "    def _private_helper(self):", "    def __repr__(self):\n        return ''\n\n    def _private_helper(self):");
        var d = Assert.Single(await DriftTest.RunAsync(CSharp(Types), mock, RuntimePy));
        Assert.Equal(Id, d.Id);
        Assert.StartsWith("Request.__repr__: defined in the SDK mock (a method, ", d.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_mock_constructor_of_a_type_python_cannot_construct_is_not_reported()
    {
        // Scripts cannot construct a type without [PyConstructor]; only the mock can, so its __init__ is
        // mock-only by design (Request in the fixture). Dropping Response's [PyConstructor] makes it the same.
        var types = Replace(CSharp(Types), "    [PyConstructor]\n    public Response(", "    public Response(");
        Assert.Empty(await DriftTest.RunAsync(types, Mock, RuntimePy));

        // ... while a mock __init__ that differs from a real [PyConstructor] is still compared.
        var mock = Replace(Mock, "def __init__(self, status=200, headers=None, body=None):", "def __init__(self, status=200):");
        Assert.Equal([RuleIdentifiers.ParameterMismatch], (await DriftTest.RunAsync(CSharp(Types), mock, RuntimePy)).Select(d => d.Id));
    }

    [Fact]
    public async Task A_mock_class_without_a_runtime_type_is_reported_at_its_python_line()
    {
        var mock = Mock + "\n\nclass MockCookie:\n    pass\n";
        var d = Assert.Single(await DriftTest.RunAsync(CSharp(Types), mock, RuntimePy));
        var line = LineOf(mock, "class MockCookie");
        Assert.Equal(Id, d.Id);
        Assert.Equal($"MockCookie: defined in the SDK mock (a class, siphon_sdk/http.py:{line}) but missing in the runtime (no [PyClass(\"Cookie\", Module = \"siphon.http\")] type and no class Cookie in python/siphon/http.py)", d.GetMessage());
        Assert.Equal((DriftTest.MockPath, line), (d.Location.GetLineSpan().Path, d.Location.GetLineSpan().StartLinePosition.Line + 1));
    }

    [Fact]
    public async Task A_mock_only_function_is_reported_at_its_python_line()
    {
        var mock = Replace(Mock, "def middleware(fn):", "def on_startup(fn):");
        var diagnostics = await DriftTest.RunAsync(CSharp(Types), mock, RuntimePy);
        Assert.Equal([RuleIdentifiers.MissingInMock, Id], diagnostics.Select(d => d.Id).Order());
        var d = diagnostics.Single(x => x.Id == Id);
        var line = LineOf(mock, "def on_startup");
        Assert.Equal($"on_startup: defined in the SDK mock (a function, siphon_sdk/http.py:{line}) but missing in the runtime (no function on_startup in python/siphon/http.py)", d.GetMessage());
        Assert.Equal((DriftTest.MockPath, line), (d.Location.GetLineSpan().Path, d.Location.GetLineSpan().StartLinePosition.Line + 1));
    }
}
