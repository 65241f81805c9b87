using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Siphon.Analyzers.Tests.Support;

namespace Siphon.Analyzers.Tests;

/// <summary>An extension's [PyClass] types against its Python test double (docs/extensions.md): the
/// double is any .py additional file whose path ends in the module's (tests/doubles/acme/pricing.py
/// for acme.pricing); the same rules hold, and a file whose path only looks like a module nothing is
/// bound into says nothing.</summary>
public class ExtensionDoubleTests
{
    private const string Quote = """
        using Siphon.Bindings;
        namespace Acme.Pricing;

        [PyClass("Quote", Module = "acme.pricing")]
        public sealed partial class Quote
        {
            [PyConstructor] public Quote(string sku, double price) { Sku = sku; Price = price; }
            [PyProperty("sku")] public string Sku { get; }
            [PyProperty("price")] public double Price { get; }
            [PyMethod("discounted")] public double Discounted(double percent) => Price;
            [PyMethod("price_in")] public Task<double> PriceIn(string currency, CancellationToken cancel = default) => Task.FromResult(Price);
        }
        """;

    private const string Double = """
        class Quote:
            def __init__(self, sku: str, price: float) -> None:
                self._sku, self._price = sku, price

            @property
            def sku(self) -> str:
                return self._sku

            @property
            def price(self) -> float:
                return self._price

            def discounted(self, percent: float) -> float:
                return self._price

            async def price_in(self, currency: str) -> float:
                return self._price
        """;

    /// <summary>The drift diagnostics of <paramref name="csharp"/> (as the file <paramref name="csPath"/>)
    /// with <paramref name="doublePy"/> as the one additional file, at <paramref name="doublePath"/>.</summary>
    internal static async Task<ImmutableArray<Diagnostic>> RunAsync(string csharp, string doublePath, string doublePy, string csPath = "/ext/Quote.cs")
    {
        var compilation = DriftTest.Compile([(csPath, csharp), ("/repo/Attributes.cs", DriftTest.Attributes), ("/repo/Usings.cs", DriftTest.Usings)],
            Basic.Reference.Assemblies.Net100.References.All);
        return await DriftTest.RunAsync(compilation, [new InMemoryAdditionalText(doublePath, doublePy)]);
    }

    [Fact]
    public async Task A_matching_double_is_silent()
    {
        Assert.Empty(await RunAsync(Quote, "/ext/tests/doubles/acme/pricing.py", Double));
    }

    [Fact]
    public async Task A_method_the_double_lacks_and_an_async_method_it_makes_plain_are_reported()
    {
        var drifted = Double.Replace("""
                def discounted(self, percent: float) -> float:
                    return self._price

            """, "").Replace("async def price_in", "def price_in");
        var ids = (await RunAsync(Quote, "/ext/tests/doubles/acme/pricing.py", drifted)).Select(d => (d.Id, d.GetMessage())).ToList();
        Assert.Contains(ids, d => d.Id == RuleIdentifiers.MissingInMock && d.Item2.StartsWith("Quote.discounted:", StringComparison.Ordinal) && d.Item2.Contains("acme/pricing.py:1"));
        Assert.Contains(ids, d => d.Id == RuleIdentifiers.AsyncMismatch && d.Item2.StartsWith("Quote.price_in", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_for_a_module_nothing_is_bound_into_says_nothing()
    {
        Assert.Empty(await RunAsync(Quote, "/ext/tests/doubles/acme/shipping.py", "class Parcel:\n    pass\n"));
    }
}

/// <summary>The example extension's real source and real test double (examples/extensions): silent
/// as committed, and a drift planted in the double is reported with its SIPH id.</summary>
public class ExampleExtensionDoubleTests
{
    private const string DoubleRelative = "examples/extensions/tests/doubles/acme/pricing.py";

    private const string QuoteRelative = "examples/extensions/Acme.Pricing/Quote.cs";

    private static Task<ImmutableArray<Diagnostic>> RunAsync(string doublePy) =>
        ExtensionDoubleTests.RunAsync(Repo.Read(QuoteRelative), Repo.PathOf(DoubleRelative), doublePy, Repo.PathOf(QuoteRelative));

    [Fact]
    public async Task The_committed_double_matches_the_extension()
    {
        Assert.Empty(await RunAsync(Repo.Read(DoubleRelative)));
    }

    [Fact]
    public async Task A_planted_drift_in_the_double_is_reported()
    {
        var planted = Repo.Read(DoubleRelative).Replace("    async def price_in(self, currency: str) -> float:", "    def price_in(self, currency: str) -> float:");
        var d = Assert.Single(await RunAsync(planted));
        Assert.Equal(RuleIdentifiers.AsyncMismatch, d.Id);
        Assert.StartsWith("Quote.price_in: the SDK mock (acme/pricing.py:", d.GetMessage(), StringComparison.Ordinal);
        Assert.EndsWith("Quote.cs", d.Location.GetLineSpan().Path, StringComparison.Ordinal);
    }
}
