using System.Text.Json;
using System.Text.RegularExpressions;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Unit.Tests.Config;

/// <summary>tests/parity/config_cases.json — the ${VAR} expansion and http.yaml reading table the
/// SDK's HttpTestHarness(config_path=...) is held to (sdk/tests/test_config.py); here the host's
/// EnvExpander and ConfigLoader are held to the same rows.</summary>
public partial class ConfigParityTests
{
    private static readonly JsonElement Table = Load();

    private static JsonElement Load()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var file = Path.Combine(d.FullName, "tests", "parity", "config_cases.json");
            if (File.Exists(file)) return JsonDocument.Parse(File.ReadAllText(file)).RootElement;
        }
        throw new InvalidOperationException("tests/parity/config_cases.json not found above " + AppContext.BaseDirectory);
    }

    public static TheoryData<int> ExpandRows() => [.. Enumerable.Range(0, Table.GetProperty("expand").GetArrayLength())];

    public static TheoryData<int> ConfigRows() => [.. Enumerable.Range(0, Table.GetProperty("config").GetArrayLength())];

    private static Func<string, string?> Env(JsonElement env) =>
        name => env.TryGetProperty(name, out var v) ? v.GetString() : null;

    [Theory]
    [MemberData(nameof(ExpandRows))]
    public void Expansion_row(int row)
    {
        var c = Table.GetProperty("expand")[row];
        var ok = EnvExpander.TryExpand(c.GetProperty("text").GetString()!, Env(c.GetProperty("env")), out var result, out var error);
        if (c.TryGetProperty("error", out var expected))
        {
            Assert.False(ok, $"expanded to '{result}'");
            Assert.Equal(expected.GetString(), error);
        }
        else
        {
            Assert.True(ok, error);
            Assert.Equal(c.GetProperty("result").GetString(), result);
        }
    }

    [Theory]
    [MemberData(nameof(ConfigRows))]
    public void Config_row(int row)
    {
        var c = Table.GetProperty("config")[row];
        var yaml = c.GetProperty("yaml").GetString()!;
        var env = Env(c.GetProperty("env"));
        if (c.TryGetProperty("error", out var expected))
        {
            // The file as named to the loader: the table's rows are read from ./http.yaml.
            var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "http.yaml", env));
            Assert.Equal(expected.GetString(), e.Message);
            return;
        }
        var config = ConfigLoader.Parse(yaml, "http.yaml", env);
        foreach (var value in c.GetProperty("values").EnumerateObject())
            Assert.Equal(Text(value.Value), Value(config, value.Name));
    }

    private static string Text(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => e.GetRawText(),
    };

    /// <summary>The table's value paths, read from the loaded config.</summary>
    private static string Value(SiphonConfig config, string path)
    {
        if (ClientPath().Match(path) is { Success: true } client)
        {
            var cl = config.Clients[client.Groups[1].Value];
            return client.Groups[2].Value switch
            {
                "base_url" => cl.BaseUrl!.OriginalString,
                "timeout_ms" => cl.TimeoutMs.ToString(),
                var other => throw new NotSupportedException(other),
            };
        }
        if (IndexedPath().Match(path) is { Success: true } indexed)
        {
            var i = int.Parse(indexed.Groups[2].Value);
            return (indexed.Groups[1].Value, indexed.Groups[3].Value) switch
            {
                ("servers", "max_body_bytes") => config.Servers[i].MaxBodyBytes.ToString(),
                ("servers", "request_timeout_ms") => config.Servers[i].RequestTimeoutMs.ToString(),
                ("cache", "name") => config.Caches[i].Name,
                ("cache", "timeout_ms") => config.Caches[i].TimeoutMs.ToString(),
                var other => throw new NotSupportedException(other.ToString()),
            };
        }
        return path switch
        {
            "workers" => config.Workers.ToString(),
            "tracing.otlp_endpoint" => config.Tracing!.OtlpEndpoint.OriginalString,
            "tracing.sample_ratio" => config.Tracing!.SampleRatio.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "tracing.service_name" => config.Tracing!.ServiceName,
            "access_log" => config.AccessLog ? "true" : "false",
            _ => throw new NotSupportedException(path),
        };
    }

    [GeneratedRegex(@"^clients\.([^.]+)\.(\w+)$")]
    private static partial Regex ClientPath();

    [GeneratedRegex(@"^(servers|cache)\[(\d+)\]\.(\w+)$")]
    private static partial Regex IndexedPath();
}
