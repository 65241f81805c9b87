using System.Net;
using System.Text.Json;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>workers: N with worker_mode: interpreters — one process, worker 0 in the main
/// interpreter and the others in sub-interpreters with their own GIL. Run on a CPython ≥ 3.13
/// found on the machine, whatever Python the suite runs on (passed with --python).</summary>
public class InterpreterWorkersTests
{
    // Each interpreter has its own module globals: INTERP (from _interpreters, 3.13) tells them
    // apart, `served` counts the requests this interpreter's copy of the module has seen.
    private static string Script(string hooksLog, string extra = "") => $$"""
        import asyncio
        import _interpreters
        from siphon import http

        INTERP = _interpreters.get_current()[0]
        served = 0

        def note(what):
            with open({{JsonSerializer.Serialize(hooksLog)}}, "a") as f:
                f.write(f"{what} {INTERP}\n")
        {{extra}}
        @http.on_startup
        def started():
            note("startup")

        @http.on_shutdown
        async def stopped():
            await asyncio.sleep(0)
            note(f"shutdown")

        def count():
            global served
            served += 1
            return served

        @http.route("/async/{n}")
        async def async_n(req):
            mine = count()
            await asyncio.sleep(0.001)
            return http.Response(body=f"{req.path_params['n']} {INTERP} {mine}")

        @http.route("/sync/{n}")
        def sync_n(req):
            return http.Response(body=f"{req.path_params['n']} {INTERP} {count()}")
        """;

    private static List<string> Args(params string[] more) =>
        ["--workers", "2", "--worker-mode", "interpreters", "--python", Pythons.AtLeast313!, .. more];

    [Python313Fact]
    public async Task Two_interpreters_answer_every_request_with_their_own_module_globals_and_hooks()
    {
        using var dir = new TempDir();
        var hooks = Path.Combine(dir.Path, "hooks.log");
        var script = dir.Write("interp.py", Script(hooks));
        await using var siphon = await SiphonProcess.StartAsync(script, extraArgs: Args(), env: Pythons.WithoutSuitePython());
        Assert.Single(siphon.Urls);

        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 });
        var results = await Task.WhenAll(Enumerable.Range(0, 400).Select(async i =>
        {
            using var r = await client.GetAsync($"{siphon.Url}/{(i % 2 == 0 ? "async" : "sync")}/{i}");
            return (i, r.StatusCode, Body: await r.Content.ReadAsStringAsync());
        }));

        var byInterpreter = new Dictionary<string, List<int>>();
        foreach (var (i, status, body) in results)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            var parts = body.Split(' ');
            Assert.Equal(3, parts.Length);
            Assert.Equal(i.ToString(), parts[0]);
            if (!byInterpreter.TryGetValue(parts[1], out var counts)) byInterpreter[parts[1]] = counts = [];
            counts.Add(int.Parse(parts[2]));
        }
        // Both interpreters served, one of them the main interpreter (id 0).
        Assert.Equal(2, byInterpreter.Count);
        Assert.Contains("0", byInterpreter.Keys);
        // Module globals are per interpreter: each one's counter saw exactly the requests it served.
        foreach (var (_, counts) in byInterpreter)
            Assert.Equal(Enumerable.Range(1, counts.Count), counts.Order());

        Assert.Equal(0, await siphon.StopAsync());
        var lines = File.ReadAllLines(hooks);
        var startups = lines.Where(l => l.StartsWith("startup ")).Select(l => l.Split(' ')[1]).Order().ToList();
        var shutdowns = lines.Where(l => l.StartsWith("shutdown ")).Select(l => l.Split(' ')[1]).Order().ToList();
        Assert.Equal(byInterpreter.Keys.Order(), startups); // once per worker, in each worker's interpreter
        Assert.Equal(startups, shutdowns);
        Assert.Contains("worker 1 (sub-interpreter) loaded", siphon.Output);
        Assert.DoesNotContain("Fatal Python error", siphon.Output);
    }

    [Python313Fact]
    public async Task Http_yaml_chooses_the_mode_and_a_sub_interpreter_that_fails_to_load_stops_the_server_cleanly()
    {
        using var dir = new TempDir();
        var hooks = Path.Combine(dir.Path, "hooks.log");
        var script = dir.Write("half.py", Script(hooks, """
            if INTERP != 0:
                raise RuntimeError("only in the sub-interpreter")

            """));
        var config = dir.Write("http.yaml", $"""
            python: {JsonSerializer.Serialize(Pythons.AtLeast313)}
            workers: 2
            worker_mode: interpreters
            servers:
              - listen: "127.0.0.1:0"
            """);
        await using var p = SiphonProcess.Launch(["run", script, "--config", config], dir.Path, Pythons.WithoutSuitePython());
        Assert.Equal(1, await p.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("worker 1 (sub-interpreter)", p.Output);
        Assert.Contains("half.py:", p.Output);
        Assert.Contains("RuntimeError: only in the sub-interpreter", p.Output);
        Assert.DoesNotContain("listening on", p.Output);
        Assert.DoesNotContain("Fatal Python error", p.Output);
        // Worker 0 had started: its on_shutdown ran before CPython was finalised.
        Assert.Equal(["startup 0", "shutdown 0"], File.ReadAllLines(hooks));
    }

    [Python313WithSinglePhaseModuleFact]
    public async Task An_extension_module_without_sub_interpreter_support_fails_the_start_with_a_hint()
    {
        using var dir = new TempDir();
        var script = dir.Write("single.py", "import _testsinglephase\nfrom siphon import http\n");
        await using var p = SiphonProcess.Launch(["run", script, "--listen", "127.0.0.1:0", .. Args()], dir.Path, Pythons.WithoutSuitePython());
        Assert.Equal(1, await p.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("worker 1 (sub-interpreter): ", p.Output);
        Assert.Contains("single.py:1", p.Output);
        Assert.Contains("does not support loading in subinterpreters", p.Output);
        Assert.Contains("worker_mode: processes has no such limit", p.Output);
        Assert.DoesNotContain("Fatal Python error", p.Output);
    }

    [PythonBefore313Fact]
    public async Task Before_3_13_the_mode_is_refused_with_a_message_and_exit_code_2()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", "from siphon import http\n");
        var python = Pythons.Before313!;
        await using var p = SiphonProcess.Launch(
            ["run", script, "--listen", "127.0.0.1:0", "--workers", "2", "--worker-mode", "interpreters", "--python", python],
            dir.Path, Pythons.WithoutSuitePython());
        Assert.Equal(2, await p.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("worker_mode: interpreters needs CPython 3.13 or newer", p.Output);
        Assert.Contains("and this is CPython 3.1", p.Output);
        Assert.Contains("worker_mode: processes", p.Output);
        Assert.DoesNotContain("listening on", p.Output);
    }

    [PythonBefore313Fact]
    public async Task One_worker_ignores_the_mode_on_any_python()
    {
        using var dir = new TempDir();
        var script = dir.Write("one.py", "from siphon import http\n\n@http.route('/')\ndef root(req):\n    return http.Response(body='one')\n");
        await using var siphon = await SiphonProcess.StartAsync(script,
            extraArgs: ["--workers", "1", "--worker-mode", "interpreters", "--python", Pythons.Before313!], env: Pythons.WithoutSuitePython());
        using var client = new HttpClient();
        Assert.Equal("one", await client.GetStringAsync(siphon.Url + "/"));
        Assert.Equal(0, await siphon.StopAsync());
    }
}
