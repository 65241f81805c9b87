using System.Net;
using System.Text.Json;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>A user's .NET extension (examples/extensions) through the real host: its C# type is
/// imported by a script from the module its [PyClass] names, constructed, read, called and
/// awaited, and its exceptions reach the script as Python ones.</summary>
public class ExtensionTests
{
    [Fact]
    public async Task The_example_script_uses_the_extensions_type_through_the_real_host()
    {
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", $"""
            servers:
              - listen: "127.0.0.1:0"
            extensions:
              - {JsonSerializer.Serialize(ExampleExtension.Dll)}
            """);
        await using var siphon = await SiphonProcess.StartAsync(Path.Combine(Repo.Root, "examples", "extensions", "pricing.py"), config);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var doc = JsonDocument.Parse(await client.GetStringAsync($"{siphon.Url}/quotes/ab-1?price=19.99&discount=10&currency=EUR")).RootElement;
        Assert.Equal("ab-1", doc.GetProperty("sku").GetString());
        Assert.Equal(19.99, doc.GetProperty("price").GetDouble());
        Assert.Equal(17.99, doc.GetProperty("discounted").GetDouble());
        Assert.Equal(16.55, doc.GetProperty("total").GetDouble()); // 17.99 × 0.92, awaited from C#

        // C# argument exceptions arrive as ValueError, which the script answers as the client's mistake.
        using var negative = await client.GetAsync($"{siphon.Url}/quotes/ab-1?price=-1");
        Assert.Equal(HttpStatusCode.BadRequest, negative.StatusCode);
        Assert.Contains("a price is never negative", await negative.Content.ReadAsStringAsync());
        using var currency = await client.GetAsync($"{siphon.Url}/quotes/ab-1?currency=XYZ");
        Assert.Equal(HttpStatusCode.BadRequest, currency.StatusCode);
        Assert.Contains("no rate for XYZ", await currency.Content.ReadAsStringAsync());
        Assert.Equal(0, await siphon.StopAsync());
    }

    [Python313Fact]
    public async Task Both_interpreters_of_worker_mode_interpreters_have_the_extensions_module()
    {
        using var dir = new TempDir();
        var script = dir.Write("interp.py", """
            import os
            from acme.pricing import Quote
            from siphon import http

            INTERPRETER = os.urandom(8).hex()  # the script loads once per interpreter

            @http.route("/q/{n}")
            async def q(req):
                quote = Quote("s", float(req.path_params["n"]))
                return http.Response(body=f"{quote.discounted(50)} {await quote.price_in('GBP')} {INTERPRETER}")
            """);
        var config = dir.Write("http.yaml", $"""
            python: {JsonSerializer.Serialize(Pythons.AtLeast313)}
            workers: 2
            worker_mode: interpreters
            servers:
              - listen: "127.0.0.1:0"
            extensions:
              - {JsonSerializer.Serialize(ExampleExtension.Dll)}
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, config, env: Pythons.WithoutSuitePython());
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { Timeout = TimeSpan.FromSeconds(30) };
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => client.GetStringAsync($"{siphon.Url}/q/{i}")));
        for (var i = 0; i < answers.Length; i++)
        {
            var parts = answers[i].Split(' ');
            Assert.Equal((Math.Round(i * 0.5, 2), Math.Round(i * 0.79, 2)), (double.Parse(parts[0]), double.Parse(parts[1])));
        }
        Assert.Equal(2, answers.Select(a => a.Split(' ')[2]).Distinct().Count()); // both interpreters answered
        Assert.Equal(0, await siphon.StopAsync());
    }

    [Fact]
    public async Task A_missing_extension_stops_start_up_naming_the_file_and_the_key()
    {
        using var dir = new TempDir();
        var config = dir.Write("http.yaml", """
            servers:
              - listen: "127.0.0.1:0"
            extensions:
              - ext/Nope.dll
            """);
        await using var p = SiphonProcess.Launch(["run", dir.Write("app.py", "from siphon import http\n"), "--config", config], dir.Path);
        Assert.Equal(2, await p.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"siphon: error: {config}: {Path.Combine(dir.Path, "ext", "Nope.dll")} (extensions[0]): no such file", p.Output);
        Assert.DoesNotContain("listening on", p.Output);
    }

    [Fact]
    public async Task An_extension_module_an_installed_python_module_has_the_name_of_stops_start_up()
    {
        using var dir = new TempDir();
        dir.Write("site/acme/__init__.py", "");
        var installed = dir.Write("site/acme/pricing.py", "PRICE = 1\n");
        var config = dir.Write("http.yaml", $"""
            servers:
              - listen: "127.0.0.1:0"
            extensions:
              - {JsonSerializer.Serialize(ExampleExtension.Dll)}
            """);
        await using var p = SiphonProcess.Launch(["run", dir.Write("app.py", "from siphon import http\n"), "--config", config], dir.Path,
            new Dictionary<string, string> { ["PYTHONPATH"] = Path.Combine(dir.Path, "site") });
        Assert.Equal(2, await p.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"extension module acme.pricing has the name of an installed Python module ({installed})", p.Output);
        Assert.DoesNotContain("listening on", p.Output);
    }
}
