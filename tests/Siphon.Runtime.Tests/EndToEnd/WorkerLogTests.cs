using System.Text.Json;
using System.Text.RegularExpressions;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Every log line names its worker: text `category[wN]`, json `"worker": N`, the access
/// log included, in both worker modes. Each request's script line and access line must name the
/// same worker, and in processes mode a worker number is one process.</summary>
public partial class WorkerLogTests
{
    private const string Script = """
        import os
        from siphon import http, log

        @http.route("/n/{n}")
        async def n(req):
            log.info(f"req {req.path_params['n']} pid {os.getpid()}")
            return http.Response(body=str(os.getpid()))
        """;

    [Fact]
    public async Task Text_lines_name_the_worker_process_and_the_access_log_agrees() =>
        await AssertLinesNameWorkers("text", ["--workers", "2"], processes: true);

    [Fact]
    public async Task Json_lines_carry_the_worker_process_and_the_access_log_agrees() =>
        await AssertLinesNameWorkers("json", ["--workers", "2"], processes: true);

    [Python313Fact]
    public async Task In_interpreters_mode_a_request_s_lines_name_the_interpreter_that_served_it() =>
        await AssertLinesNameWorkers("text", ["--workers", "2", "--worker-mode", "interpreters", "--python", Pythons.AtLeast313!], processes: false);

    [Fact]
    public async Task One_worker_s_lines_say_w0()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", Script);
        var config = dir.Write("http.yaml", "access_log: true\nservers:\n  - listen: \"127.0.0.1:0\"\n");
        await using var siphon = await SiphonProcess.StartAsync(script, config);
        using var client = new HttpClient();
        await client.GetStringAsync(siphon.Url + "/n/1");
        Assert.Equal(0, await siphon.StopAsync());
        var lines = Parse(siphon.Output, "text");
        Assert.Contains(lines, l => l.Category == "app" && l.Message.StartsWith("req 1 "));
        Assert.Contains(lines, l => l.Category == "siphon.access");
        Assert.All(lines, l => Assert.Equal(0, l.Worker));
    }

    private static async Task AssertLinesNameWorkers(string format, List<string> args, bool processes)
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", Script);
        var config = dir.Write("http.yaml", $"log_format: {format}\naccess_log: true\nservers:\n  - listen: \"127.0.0.1:0\"\n");
        var env = processes ? null : Pythons.WithoutSuitePython();
        await using var siphon = await SiphonProcess.StartAsync(script, config, args, env);

        // New connections (processes: the kernel spreads them) and concurrent requests
        // (interpreters: least-outstanding dispatch) until both workers have answered.
        var count = 0;
        for (var round = 0; round < 50 && WorkersSeen(siphon.Output, format) < 2; round++)
            await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
            {
                var i = Interlocked.Increment(ref count);
                using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
                using var msg = new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/n/{i}");
                msg.Headers.ConnectionClose = true;
                (await client.SendAsync(msg)).EnsureSuccessStatusCode();
            }));
        Assert.Equal(0, await siphon.StopAsync());

        var lines = Parse(siphon.Output, format);
        var script_ = lines.Where(l => l.Category == "app").ToDictionary(l => l.Message.Split(' ')[1]);
        var access = lines.Where(l => l.Category == "siphon.access").ToDictionary(l => l.Message.Split(' ')[1].Split('/')[2]);
        Assert.Equal(count, script_.Count);
        Assert.Equal(count, access.Count);
        foreach (var (n, line) in script_)
        {
            Assert.NotNull(line.Worker);
            Assert.Equal(line.Worker, access[n].Worker); // the access line names the worker that ran the handler
        }
        Assert.Equal([0, 1], script_.Values.Select(l => l.Worker!.Value).Distinct().Order());
        if (processes)
        {
            // A worker number is one process, and every line of a worker process names it.
            var pidsByWorker = script_.Values.GroupBy(l => l.Worker).ToDictionary(g => g.Key!.Value, g => g.Select(l => l.Message.Split(' ')[3]).Distinct().ToList());
            Assert.Single(pidsByWorker[0]);
            Assert.Single(pidsByWorker[1]);
            Assert.NotEqual(pidsByWorker[0][0], pidsByWorker[1][0]);
            Assert.All(lines, l => Assert.NotNull(l.Worker));
            Assert.Equal([0, 1], lines.Where(l => l.Category == "siphon.worker" && l.Message.StartsWith("loaded ")).Select(l => l.Worker!.Value).Order());
        }
    }

    private sealed record Line(string Category, int? Worker, string Message);

    private static int WorkersSeen(string output, string format) =>
        Parse(output, format).Where(l => l.Category == "app").Select(l => l.Worker).Distinct().Count();

    /// <summary>The logger's lines of the output (the supervisor's own `siphon: ...` lines are not).</summary>
    private static List<Line> Parse(string output, string format)
    {
        var lines = new List<Line>();
        foreach (var raw in output.Split('\n'))
        {
            var text = raw.TrimEnd('\r');
            if (format == "json")
            {
                if (!text.StartsWith('{')) continue;
                var o = JsonDocument.Parse(text).RootElement;
                var w = o.GetProperty("worker");
                lines.Add(new Line(o.GetProperty("category").GetString()!, w.ValueKind == JsonValueKind.Null ? null : w.GetInt32(), o.GetProperty("message").GetString()!));
                continue;
            }
            var m = TextLine().Match(text);
            if (m.Success)
                lines.Add(new Line(m.Groups["c"].Value, m.Groups["w"].Value == "-" ? null : int.Parse(m.Groups["w"].Value[1..]), m.Groups["m"].Value));
            else if (!text.StartsWith("siphon: ") && text.Length > 0)
                Assert.Fail($"a line in neither the logger's format nor the supervisor's: {text}");
        }
        return lines;
    }

    [GeneratedRegex(@"^\d\d:\d\d:\d\d\.\d{3} (?:trce|dbug|info|warn|fail|crit): (?<c>\S+)\[(?<w>w\d+|-)\] (?<m>.*)$")]
    private static partial Regex TextLine();
}
