using System.Text.RegularExpressions;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Operations;

/// <summary>The admin listener of a running siphon: found from its "admin listening on" line;
/// scrapes parsed into samples.</summary>
internal static partial class Admin
{
    public static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
    { Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>The admin base URL once the process has printed it.</summary>
    public static async Task<string> UrlAsync(SiphonProcess p, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < until)
        {
            if (AdminLine().Match(p.Output) is { Success: true } m) return m.Groups[1].Value;
            await Task.Delay(20);
        }
        throw new TimeoutException("no admin listening line:\n" + p.Output);
    }

    /// <summary>A config with one serving listener and an admin listener, both ephemeral loopback ports.</summary>
    public static string Config(string extra = "") => $"""
        admin:
          listen: "127.0.0.1:0"
        servers:
          - listen: "127.0.0.1:0"
        {extra}
        """;

    public static async Task<(int Status, string Body)> GetAsync(string url)
    {
        using var r = await Http.GetAsync(url);
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    public static async Task<List<PrometheusText.Sample>> ScrapeAsync(string adminUrl)
    {
        var (status, body) = await GetAsync(adminUrl + "/metrics");
        Assert.Equal(200, status);
        return PrometheusText.Parse(body);
    }

    [GeneratedRegex(@"siphon: admin listening on (http://\S+)")]
    private static partial Regex AdminLine();
}
