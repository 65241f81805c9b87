using Siphon.Bindings;

namespace Acme.Pricing;

/// <summary>A price for a stock-keeping unit, in US dollars.</summary>
[PyClass("Quote", Module = "acme.pricing")]
public sealed partial class Quote
{
    private static readonly Dictionary<string, double> Rates = new(StringComparer.Ordinal) { ["USD"] = 1.0, ["EUR"] = 0.92, ["GBP"] = 0.79 };

    /// <summary>A quote of <paramref name="price"/> dollars for <paramref name="sku"/>.</summary>
    [PyConstructor]
    public Quote(string sku, double price)
    {
        if (price < 0) throw new ArgumentOutOfRangeException(nameof(price), "a price is never negative");
        Sku = sku;
        Price = price;
    }

    /// <summary>The stock-keeping unit.</summary>
    [PyProperty("sku")]
    public string Sku { get; }

    /// <summary>The price in US dollars.</summary>
    [PyProperty("price")]
    public double Price { get; }

    /// <summary>The price less <paramref name="percent"/> percent, rounded to cents.</summary>
    [PyMethod("discounted")]
    public double Discounted(double percent) => Math.Round(Price * (1 - percent / 100), 2);

    /// <summary>The price in <paramref name="currency"/> (USD, EUR or GBP), rounded to cents; a
    /// lookup that could be remote, so it is awaited.</summary>
    [PyMethod("price_in")]
    public async Task<double> PriceIn(string currency, CancellationToken cancel = default)
    {
        await Task.Yield();
        cancel.ThrowIfCancellationRequested();
        return Rates.TryGetValue(currency, out var rate)
            ? Math.Round(Price * rate, 2)
            : throw new ArgumentException($"no rate for {currency} (USD, EUR or GBP)", nameof(currency));
    }
}
