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

    // In file order, as tests/parity/README.md says: a sync handler past its timeout keeps the
    // worker busy until it returns, so order matters on the real host.
    [Fact]
    public async Task Every_case_of_cases_json_holds_on_the_real_host() =>
        await RunAll(await hosts.Plain(), JsonNode.Parse(File.ReadAllText(Path.Combine(ParityDir, "cases.json")))!.AsArray());

    [Fact]
    public async Task Every_case_of_cases_limits_json_holds_on_the_real_host() =>
        await RunAll(await hosts.Limited(), LimitsFile()["cases"]!.AsArray());

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
        private Task<SiphonProcess>? _plain, _limited;

        public Task<SiphonProcess> Plain() => _plain ??= SiphonProcess.StartAsync(Path.Combine(ParityDir, "parity_app.py"));

        public Task<SiphonProcess> Limited() => _limited ??= StartLimited();

        private async Task<SiphonProcess> StartLimited()
        {
            var limits = LimitsFile();
            var host = await SiphonProcess.StartAsync(Path.Combine(ParityDir, "parity_app.py"), _dir.Write("limits.yaml", $"""
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
            foreach (var p in new[] { _plain, _limited })
                if (p is { IsCompletedSuccessfully: true }) await p.Result.DisposeAsync();
            _dir.Dispose();
        }
    }
}

/// <summary>HTTP/1.1 over a plain socket: the request target goes out byte for byte (HttpClient
/// would normalise it), one connection per request.</summary>
public static class RawHttp
{
    public static async Task<(int Status, Dictionary<string, string> Headers, string Body)> SendAsync(
        string host, int port, string method, string target, JsonObject headers, string? body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(host, port);
        var stream = client.GetStream();
        var sb = new StringBuilder($"{method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n");
        foreach (var (name, value) in headers)
        {
            if (value is JsonArray many) foreach (var v in many) sb.Append($"{name}: {v!.GetValue<string>()}\r\n");
            else sb.Append($"{name}: {value!.GetValue<string>()}\r\n");
        }
        var bytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        if (body is not null) sb.Append($"Content-Length: {bytes.Length}\r\n");
        sb.Append("\r\n");
        await stream.WriteAsync(Encoding.UTF8.GetBytes(sb.ToString()));
        await stream.WriteAsync(bytes);
        using var response = new MemoryStream();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20)))
            await stream.CopyToAsync(response, cts.Token);
        var raw = response.ToArray();
        var split = IndexOf(raw, "\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(raw, 0, split).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1]);
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':');
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            result[name] = result.TryGetValue(name, out var prev) ? $"{prev}, {value}" : value;
        }
        var payload = raw.AsSpan(split + 4);
        if (result.TryGetValue("transfer-encoding", out var te) && te.Contains("chunked"))
            payload = Dechunk(payload.ToArray());
        return (status, result, Encoding.UTF8.GetString(payload));
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);

    private static byte[] Dechunk(byte[] data)
    {
        var output = new MemoryStream();
        var pos = 0;
        while (true)
        {
            var lineEnd = data.AsSpan(pos).IndexOf("\r\n"u8) + pos;
            var size = Convert.ToInt32(Encoding.ASCII.GetString(data, pos, lineEnd - pos).Split(';')[0], 16);
            if (size == 0) return output.ToArray();
            output.Write(data, lineEnd + 2, size);
            pos = lineEnd + 2 + size + 2;
        }
    }
}
