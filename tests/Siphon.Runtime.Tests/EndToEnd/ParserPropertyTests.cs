using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Siphon.Runtime.Http;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Issue 29: the runtime's form, multipart and cookie parsers (FormParser, CookieParser:
/// ASP.NET Core's readers) and the SDK's (siphon_sdk/_forms.py, _messages.py: the standard
/// library) give the same answer for 12,000 generated inputs, malformed ones included
/// (tests/parity/generated_cases.py draws them, seeded, and answers with the SDK).</summary>
public class ParserPropertyTests
{
    private const int Count = 12_000;

    [Fact]
    public async Task The_runtime_and_the_SDK_parse_generated_forms_and_cookies_alike()
    {
        var python = Environment.GetEnvironmentVariable("SIPHON_PYTHON") is { Length: > 0 } p ? p : "python3";
        // A fixed seed, so a failure repeats; SIPHON_PROPERTY_SEED explores others.
        var seed = Environment.GetEnvironmentVariable("SIPHON_PROPERTY_SEED") is { Length: > 0 } s ? s : "29";
        var start = new ProcessStartInfo(python, [Path.Combine(SiphonProcess.RepoRoot, "tests", "parity", "generated_cases.py"), seed, Count.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        start.Environment["PYTHONPATH"] = Path.Combine(SiphonProcess.RepoRoot, "sdk", "src");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);

        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Count, lines.Length);
        var failures = new List<string>();
        var kinds = new Dictionary<string, int>();
        foreach (var line in lines)
        {
            var c = JsonNode.Parse(line)!;
            var kind = c["kind"]!.GetValue<string>();
            kinds[kind] = kinds.GetValueOrDefault(kind) + 1;
            var body = Convert.FromBase64String(c["body"]!.GetValue<string>());
            var actual = kind == "cookie" ? Cookies(body) : Form(c["content_type"]?.GetValue<string>(), body);
            if (!JsonNode.DeepEquals(actual, c["expect"]))
                failures.Add($"{kind} {c["content_type"]} {JsonSerializer.Serialize(Encoding.UTF8.GetString(body))}\n  sdk:     {c["expect"]!.ToJsonString()}\n  runtime: {actual?.ToJsonString()}");
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {Count} differ; the first:\n" + string.Join("\n", failures.Take(8)));
        Assert.All(kinds.Values, n => Assert.True(n >= Count / 4));
    }

    private static JsonNode Cookies(byte[] body)
    {
        var cookies = CookieParser.Parse([.. Encoding.UTF8.GetString(body).Split('\n').Select(l => new KeyValuePair<string, string>("cookie", l))]);
        var o = new JsonObject();
        foreach (var (k, v) in cookies) o[k] = v;
        return o;
    }

    private static JsonNode Form(string? contentType, byte[] body)
    {
        List<FormParser.Entry> entries;
        try { entries = FormParser.Parse(contentType, body); }
        catch (ScriptError) { return JsonValue.Create("error"); }
        var a = new JsonArray();
        foreach (var e in entries)
            a.Add(new JsonArray(e.Name, e.Value is not null ? JsonValue.Create(e.Value)
                : new JsonArray(e.FileName, e.ContentType, Convert.ToBase64String(e.Data.Span))));
        return a;
    }
}
