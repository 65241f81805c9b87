using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>tests/parity/*.json — the dispatch table the SDK harness is held to (sdk/tests/test_parity.py)
/// — run against the real host, so the two cannot drift.</summary>
public class ParityTests(ParityTests.Hosts hosts) : IClassFixture<ParityTests.Hosts>
{
    private static string ParityDir => Path.Combine(SiphonProcess.RepoRoot, "tests", "parity");

    private static JsonNode LimitsFile() => JsonNode.Parse(File.ReadAllText(Path.Combine(ParityDir, "cases_limits.json")))!;

    private static JsonNode HelpersFile() => JsonNode.Parse(File.ReadAllText(Path.Combine(ParityDir, "cases_helpers.json")))!;

    private static JsonNode WrapFile() => JsonNode.Parse(File.ReadAllText(Path.Combine(ParityDir, "cases_wrap.json")))!;

    // In file order, as tests/parity/README.md says: a sync handler past its timeout keeps its
    // pool thread until it returns, so order can matter on the real host.
    [Fact]
    public async Task Every_case_of_cases_json_holds_on_the_real_host() =>
        await RunAll(await hosts.Plain(), JsonNode.Parse(File.ReadAllText(Path.Combine(ParityDir, "cases.json")))!.AsArray());

    [Fact]
    public async Task Every_case_of_cases_limits_json_holds_on_the_real_host() =>
        await RunAll(await hosts.Limited(), LimitsFile()["cases"]!.AsArray());

    [Fact]
    public async Task Every_case_of_cases_wrap_json_holds_on_the_real_host() =>
        await RunAll(await hosts.Wrapped(), WrapFile()["cases"]!.AsArray());

    [Fact]
    public async Task Every_case_of_cases_helpers_json_holds_on_the_real_host() =>
        await RunAll(await hosts.Helpers(), HelpersFile()["cases"]!.AsArray());

    private static async Task RunAll(SiphonProcess host, JsonArray cases)
    {
        Assert.NotEmpty(cases);
        var failures = new List<string>();
        foreach (var c in cases)
        {
            try { await Check(host, c!); }
            catch (Exception e) { failures.Add($"[{c!["name"]}] {e.Message}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    private static async Task Check(SiphonProcess host, JsonNode c)
    {
        var uri = new Uri(host.Url);
        var (status, headers, body) = await RawHttp.SendAsync(uri.Host, uri.Port, c["method"]!.GetValue<string>(),
            c["path"]!.GetValue<string>(), c["headers"]!.AsObject(), c["body"]?.GetValue<string>());
        var expect = c["expect"]!;
        Assert.True(expect["status"]!.GetValue<int>() == status, $"status {status}, expected {expect["status"]}; body: {body}");
        foreach (var (k, v) in expect["headers"]!.AsObject())
        {
            Assert.True(headers.TryGetValue(k, out var actual), $"missing header {k}; got {string.Join(", ", headers.Keys)}");
            Assert.Equal(v!.GetValue<string>(), actual);
        }
        if (expect["json"] is { } json)
            Assert.True(JsonNode.DeepEquals(json, JsonNode.Parse(body)), $"json {body}\nexpected {json.ToJsonString()}");
        else if (expect["body"] is { } text)
            Assert.Equal(text.GetValue<string>(), body);
    }

    /// <summary>One host per table for the whole class: starting a host per case would be slow.</summary>
    public sealed class Hosts : IAsyncLifetime
    {
        private readonly TempDir _dir = new();
        private Task<SiphonProcess>? _plain, _limited, _wrapped, _helpers;

        public Task<SiphonProcess> Plain() => _plain ??= SiphonProcess.StartAsync(Path.Combine(ParityDir, "parity_app.py"));

        public Task<SiphonProcess> Limited() => _limited ??= StartLimited("parity_app.py", LimitsFile());

        public Task<SiphonProcess> Wrapped() => _wrapped ??= StartLimited("wrap_app.py", WrapFile());

        public Task<SiphonProcess> Helpers() => _helpers ??= StartLimited("helpers_app.py", HelpersFile());

        private async Task<SiphonProcess> StartLimited(string app, JsonNode limits)
        {
            var host = await SiphonProcess.StartAsync(Path.Combine(ParityDir, app), _dir.Write($"{app}.yaml", $"""
                servers:
                  - listen: "127.0.0.1:0"
                    max_body_bytes: {limits["max_body_bytes"]}
                    request_timeout_ms: {limits["request_timeout_ms"]}
                """));
            // The first requests of a fresh host pay for JIT compilation (~0.1 s in Release, more in
            // Debug on a busy machine), which would eat the 300 ms budget these cases are about.
            var uri = new Uri(host.Url);
            for (var i = 0; i < 3; i++) await RawHttp.SendAsync(uri.Host, uri.Port, "GET", "/", new JsonObject(), null);
            return host;
        }

        public Task InitializeAsync() => Task.CompletedTask;

        public async Task DisposeAsync()
        {
            foreach (var p in new[] { _plain, _limited, _wrapped, _helpers })
                if (p is { IsCompletedSuccessfully: true }) await p.Result.DisposeAsync();
            _dir.Dispose();
        }
    }
}
