using Siphon.Analyzers.Tests.Support;
using static Siphon.Analyzers.Tests.Support.Fixture;

namespace Siphon.Analyzers.Tests;

/// <summary>SIPH0005: property in one, method in the other.</summary>
public class PropertyMethodMismatchTests
{
    private const string Id = RuleIdentifiers.PropertyMethodMismatch;

    [Fact]
    public async Task A_runtime_method_that_the_mock_makes_a_property()
    {
        var mock = Replace(Mock, "    def body(self) -> bytes:", "    @property\n    def body(self) -> bytes:");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "public ReadOnlyMemory<byte> Body()", "public ReadOnlyMemory<byte> [|Body|]()"),
            mock, RuntimePy,
            (Id, $"Request.body: the SDK mock (siphon_sdk/http.py:{LineOf(mock, "def body")}) has a property but the runtime has a method"));
    }

    [Fact]
    public async Task A_runtime_property_that_the_mock_makes_a_method()
    {
        var mock = Replace(Mock, "    @property\n    def client_cert(self)", "    def client_cert(self)");
        await DriftTest.VerifyAsync(
            Replace(CSharp(Types), "public string? ClientCert => null;", "public string? [|ClientCert|] => null;"),
            mock, RuntimePy,
            (Id, $"Request.client_cert: the SDK mock (siphon_sdk/http.py:{LineOf(mock, "def client_cert")}) has a method but the runtime has a property"));
    }

    [Fact]
    public async Task A_property_with_a_setter_in_the_mock_is_still_one_property()
    {
        var mock = Replace(Mock, "    def body(self) -> bytes:", "    @client_cert.setter\n    def client_cert(self, value):\n        pass\n\n    def body(self) -> bytes:");
        Assert.Empty(await DriftTest.RunAsync(CSharp(Types), mock, RuntimePy));
    }
}
