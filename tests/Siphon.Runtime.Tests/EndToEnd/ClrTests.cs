using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>`import clr` in scripts (docs/script-api.md, ".NET from a script"): .NET types reached
/// through pythonnet in a handler, and the clear refusal in a sub-interpreter worker.</summary>
public class ClrTests
{
    private const string Script = """
        import clr
        from System.Security.Cryptography import SHA256
        from System.Text import Encoding
        from System.Text.Json import JsonDocument
        from siphon import http

        @http.route("/digest", methods=["POST"])
        async def digest(req):
            # .NET hashes the body; System.Text.Json reads a field of it.
            data = req.body()
            doc = JsonDocument.Parse(Encoding.UTF8.GetString(data))
            try:
                name = doc.RootElement.GetProperty("name").GetString()
            finally:
                doc.Dispose()
            return http.Response(body=f"{name} {bytes(SHA256.HashData(data)).hex()}")

        @http.route("/sync-digest/{text}")
        def sync_digest(req):
            return http.Response(body=bytes(SHA256.HashData(Encoding.UTF8.GetBytes(req.path_params["text"]))).hex())
        """;

    [Fact]
    public async Task A_handler_uses_dotnet_types_through_clr()
    {
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("clr_app.py", Script));
        using var client = new HttpClient();
        var body = """{"name": "ada", "n": 1}""";
        using var r = await client.PostAsync($"{siphon.Url}/digest", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal($"ada {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)))}", await r.Content.ReadAsStringAsync());
        // From the sync pool's threads too, many at once.
        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
            (i, await client.GetStringAsync($"{siphon.Url}/sync-digest/t{i}"))));
        foreach (var (i, hex) in answers)
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"t{i}"))), hex);
    }

    [Python313Fact]
    public async Task A_sub_interpreter_worker_refuses_import_clr_with_a_clear_error()
    {
        using var dir = new TempDir();
        var script = dir.Write("clr_interp.py", """
            import _interpreters
            from siphon import http

            INTERP = _interpreters.get_current()[0]
            try:
                import clr
                from System import Environment
                CLR = f"ok {Environment.ProcessorCount > 0}"
            except ImportError as e:
                CLR = f"ImportError: {e}"

            @http.route("/clr")
            async def clr_status(req):
                return http.Response(body=f"{INTERP}|{CLR}")
            """);
        await using var siphon = await SiphonProcess.StartAsync(script,
            extraArgs: ["--workers", "2", "--worker-mode", "interpreters", "--python", Pythons.AtLeast313!], env: Pythons.WithoutSuitePython());
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32 });
        var seen = new Dictionary<string, string>();
        for (var round = 0; round < 20 && seen.Count < 2; round++)
            foreach (var b in await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => client.GetStringAsync($"{siphon.Url}/clr"))))
                seen[b.Split('|')[0]] = b.Split('|')[1];
        Assert.Equal(2, seen.Count);
        Assert.Equal("ok True", seen["0"]);
        var sub = Assert.Single(seen, kv => kv.Key != "0").Value;
        Assert.StartsWith("ImportError: import clr: the .NET bridge (pythonnet) is available in the main interpreter only", sub);
        Assert.Contains("worker_mode: interpreters", sub);
    }
}
