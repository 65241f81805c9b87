using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Live reload through the real host: a script edited 20 times under a steady load (every
/// other edit broken), in both worker modes. Every request must get a 2xx from the old or the new
/// version, each good edit must be answered by every worker within 1 s, each broken edit must be
/// logged (file and line) and leave the old version serving. Timed, so in the alone collection.</summary>
[Collection(AloneCollection.Name)]
public class ReloadTests(ITestOutputHelper output)
{
    // WHO tells workers apart: the process, and the interpreter (each has its own sys module).
    private static string Good(int version) => $$"""
        import asyncio, os, sys
        from siphon import http
        import helper

        VERSION = {{version}}
        WHO = f"{os.getpid()}-{id(sys)}"
        served = 0

        @http.middleware
        def tag(req):
            return None

        @http.route("/sync")
        def sync_route(req):
            global served
            served += 1
            return http.Response(body=f"{VERSION} {WHO} {served} {helper.NAME}")

        @http.route("/async")
        async def async_route(req):
            await asyncio.sleep(0.001)
            return http.Response(body=f"{VERSION} {WHO} 0 {helper.NAME}")
        """;

    // Broken versions, one per way a load can fail; "# BREAK" marks the line the error must name.
    private static readonly string[] Broken =
    [
        "x = 1\ndef broken(:  # BREAK\n    pass\n",
        "import no_such_module_for_siphon_reload  # BREAK\n",
        "@http.route(\"/sync\")  # BREAK\ndef again(req):\n    return http.Response()\n",
        "@http.on_startup\ndef boom():\n    raise RuntimeError(\"startup refused\")  # BREAK\n",
        "raise ValueError(\"module level\")  # BREAK\n",
    ];

    private static string BrokenScript(int version, int kind) => Good(version) + "\n" + Broken[kind % Broken.Length];

    [Fact]
    public Task Twenty_edits_under_load_in_processes_mode() =>
        TwentyEdits(["--workers", "2", "--worker-mode", "processes", "--reload"], env: null);

    [Python313Fact]
    public Task Twenty_edits_under_load_in_interpreters_mode() =>
        TwentyEdits(["--workers", "2", "--worker-mode", "interpreters", "--python", Pythons.AtLeast313!, "--reload"], Pythons.WithoutSuitePython());

    private async Task TwentyEdits(List<string> args, Dictionary<string, string>? env)
    {
        using var dir = new TempDir();
        dir.Write("helper.py", "NAME = 'h0'\n");
        var script = dir.Write("app.py", Good(0));
        await using var siphon = await SiphonProcess.StartAsync(script, extraArgs: args, env: env);

        // Find both workers: fresh connections spread over the processes (SO_REUSEPORT), and the
        // interpreters mode pool spreads requests.
        var workers = new HashSet<string>();
        var sw = Stopwatch.StartNew();
        while (workers.Count < 2 && sw.Elapsed < TimeSpan.FromSeconds(20))
            workers.Add((await Fresh(siphon.Url + "/sync")).Split(' ')[1]);
        Assert.Equal(2, workers.Count);

        // The steady load: pooled connections, sync and async routes, every answer checked.
        long answered = 0, bad = 0;
        var samples = new List<string>();
        using var stop = new CancellationTokenSource();
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 6 }) { Timeout = TimeSpan.FromSeconds(30) };
        var load = Task.WhenAll(Enumerable.Range(0, 6).Select(async c =>
        {
            for (var i = c; !stop.IsCancellationRequested; i++)
            {
                var url = siphon.Url + (i % 2 == 0 ? "/sync" : "/async");
                try
                {
                    using var r = await client.GetAsync(url);
                    var body = await r.Content.ReadAsStringAsync();
                    Interlocked.Increment(ref answered);
                    if ((int)r.StatusCode / 100 != 2 || body.Split(' ').Length != 4) Note($"{url}: {(int)r.StatusCode} {body}");
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Note($"{url}: {e.Message}");
                }
            }
        }));
        void Note(string s)
        {
            Interlocked.Increment(ref bad);
            lock (samples) if (samples.Count < 5) samples.Add(s);
        }

        var latencies = new List<double>(); // save → every worker answers the new version
        var firsts = new List<double>();    // save → the first answer of the new version
        var good = 0;
        for (var edit = 1; edit <= 20; edit++)
        {
            await Task.Delay(150); // some load between edits
            if (edit % 2 == 1)
            {
                // A good edit (the helper module changes too every other time).
                if (edit % 4 == 3) File.WriteAllText(Path.Combine(dir.Path, "helper.py"), $"NAME = 'h{edit}'\n");
                var edited = Stopwatch.StartNew();
                File.WriteAllText(script, Good(edit));
                var seen = workers.ToDictionary(w => w, _ => -1);
                while (seen.Values.Any(v => v != edit))
                {
                    Assert.True(edited.Elapsed < TimeSpan.FromSeconds(10), $"edit {edit} not answered by every worker after 10 s: {string.Join(", ", seen)}\n{siphon.Output}");
                    var parts = (await Fresh(siphon.Url + "/sync")).Split(' ');
                    seen[parts[1]] = int.Parse(parts[0]);
                    if (seen[parts[1]] == edit && firsts.Count < latencies.Count + 1) firsts.Add(edited.Elapsed.TotalMilliseconds);
                }
                latencies.Add(edited.Elapsed.TotalMilliseconds);
                good = edit;
                if (edit % 4 == 3) Assert.EndsWith($" h{edit}", await Fresh(siphon.Url + "/sync"));
            }
            else
            {
                var before = Failures(siphon.Output);
                var kind = edit / 2 - 1;
                var text = BrokenScript(edit, kind);
                var line = text.Split('\n').ToList().FindIndex(l => l.Contains("# BREAK")) + 1;
                File.WriteAllText(script, text);
                // Processes mode: each worker process logs its own failure; interpreters mode: one.
                var expected = args.Contains("processes") ? 2 : 1;
                var waited = Stopwatch.StartNew();
                while (Failures(siphon.Output).Count < before.Count + expected)
                {
                    Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"broken edit {edit} not reported:\n{siphon.Output}");
                    await Task.Delay(20);
                }
                foreach (var failure in Failures(siphon.Output).Skip(before.Count))
                    Assert.Contains($"app.py:{line}", failure);
                for (var i = 0; i < 4; i++) Assert.StartsWith($"{good} ", await Fresh(siphon.Url + "/async"));
            }
        }
        if (args.Contains("processes"))
        {
            // SIGHUP to the supervisor reaches every worker process (the script is the last, broken
            // edit, so each reports the failure again).
            var hups = Count(siphon.Output, "reload (SIGHUP) failed");
            siphon.Signal(1);
            var waited = Stopwatch.StartNew();
            while (Count(siphon.Output, "reload (SIGHUP) failed") < hups + 2)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), $"SIGHUP not relayed to both workers:\n{siphon.Output}");
                await Task.Delay(20);
            }
        }
        stop.Cancel();
        await load;

        output.WriteLine($"reload latency, save → first answer of the new version, ms: {string.Join(", ", firsts.Select(l => l.ToString("F0")))}; " +
                         $"max {firsts.Max():F0}, median {firsts.Order().ElementAt(firsts.Count / 2):F0}");
        output.WriteLine($"reload latency, save → every worker answers it, ms: {string.Join(", ", latencies.Select(l => l.ToString("F0")))}; " +
                         $"max {latencies.Max():F0}, median {latencies.Order().ElementAt(latencies.Count / 2):F0}; {answered} requests under load");
        Assert.True(bad == 0, $"{bad} of {answered} requests failed across the reloads, e.g. {string.Join(" | ", samples)}");
        Assert.True(answered > 100, $"only {answered} requests were answered under load");
        // The issue's bound: each good edit visible within 1 s. Every worker (each polls on its own in
        // processes mode) gets 2 s, for a loaded 2-core machine.
        Assert.All(firsts, l => Assert.True(l < 1000, $"a good edit took {l:F0} ms to be visible: {string.Join(", ", firsts.Select(x => x.ToString("F0")))}"));
        Assert.All(latencies, l => Assert.True(l < 2000, $"a good edit took {l:F0} ms to be answered by every worker: {string.Join(", ", latencies.Select(x => x.ToString("F0")))}"));
        Assert.Equal(0, await siphon.StopAsync());
    }

    private static int Count(string output, string text) => output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    private static List<string> Failures(string output) =>
        output.Split('\n').Where(l => l.Contains("failed; version", StringComparison.Ordinal)).ToList();

    // A request on a new connection, so processes mode's kernel balancing picks a process afresh.
    private static async Task<string> Fresh(string url)
    {
        using var c = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
        using var msg = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { ConnectionClose = true } };
        using var r = await c.SendAsync(msg);
        var body = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, $"{url}: {(int)r.StatusCode} {body}");
        return body;
    }
}

/// <summary>What a reload does to one process: in-flight requests finish on the version they
/// entered, whose on_shutdown runs only after them; module globals start fresh while the embedded
/// cache keeps its contents; http.yaml's live settings apply, restart-only ones are reported, a bad
/// file keeps the running config; SIGHUP reloads without --reload.</summary>
public class ReloadBehaviourTests
{
    private static string Script(string marker, string hooks) => $$"""
        import asyncio
        from siphon import http, cache

        MARKER = "{{marker}}"
        count = 0

        def note(what):
            with open({{JsonSerializer.Serialize(hooks)}}, "a") as f:
                f.write(f"{what} {MARKER}\n")

        @http.on_startup
        async def up():
            await asyncio.sleep(0)
            note("startup")

        @http.on_shutdown
        async def down():
            await asyncio.sleep(0)
            note("shutdown")

        @http.route("/slow")
        async def slow(req):
            await asyncio.sleep(1.5)
            note("slow-done")
            return http.Response(body=MARKER)

        @http.route("/marker")
        def marker(req):
            return http.Response(body=MARKER)

        @http.route("/count")
        def counter(req):
            global count
            count += 1
            return http.Response(body=str(count))

        @http.route("/put", methods=["POST"])
        async def put(req):
            await cache.store("c", "k", req.body().decode())
            return http.Response(body=str(len(req.body())))

        @http.route("/client")
        def client(req):
            try:
                http.Client("up")
                return http.Response(body="known")
            except http.UnknownClientError:
                return http.Response(body="unknown")

        @http.route("/get")
        async def get(req):
            return http.Response(body=str(await cache.fetch("c", "k")))
        """;

    private static async Task WaitFor(SiphonProcess siphon, Func<string, bool> done, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!done(siphon.Output))
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15), $"timed out waiting for {what}:\n{siphon.Output}");
            await Task.Delay(20);
        }
    }

    private static int Count(string output, string text) => output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    [Fact]
    public async Task In_flight_requests_finish_on_their_version_whose_on_shutdown_runs_after_them_and_SIGHUP_reloads()
    {
        using var dir = new TempDir();
        var hooks = Path.Combine(dir.Path, "hooks.log");
        var script = dir.Write("app.py", Script("one", hooks));
        // No --reload: file changes are not watched, SIGHUP still reloads.
        await using var siphon = await SiphonProcess.StartAsync(script);
        using var client = new HttpClient();

        var slow = client.GetStringAsync(siphon.Url + "/slow");
        await Task.Delay(300); // the slow request is in its handler
        File.WriteAllText(script, Script("two", hooks));
        await Task.Delay(400);
        Assert.Equal("one", await client.GetStringAsync(siphon.Url + "/marker")); // not watched
        siphon.Signal(1); // SIGHUP
        await WaitFor(siphon, o => o.Contains("reloaded (SIGHUP)"), "the SIGHUP reload");
        Assert.Equal("two", await client.GetStringAsync(siphon.Url + "/marker"));
        Assert.Equal("one", await slow); // served whole by the version it entered

        await WaitFor(siphon, _ => File.ReadAllText(hooks).Contains("shutdown one"), "the old version's on_shutdown");
        var lines = File.ReadAllLines(hooks);
        Assert.Equal(["startup one", "startup two", "slow-done one", "shutdown one"], lines);
        Assert.Equal(0, await siphon.StopAsync());
        Assert.Equal("shutdown two", File.ReadAllLines(hooks)[^1]);
    }

    // Version n of a script whose wrapper (none, async or plain) tags every answer with x-wrapped.
    private static string WrapScript(string marker, string wrapper) => $$"""
        from siphon import http

        {{wrapper}}

        @http.route("/marker")
        def marker(req):
            return http.Response(body="{{marker}}")
        """;

    private const string AsyncWrapper = """
        @http.middleware
        async def tag(req, call_next):
            resp = await call_next(req)
            return http.Response(resp.status, {**resp.headers, "x-wrapped": "async"}, resp.body)
        """;

    private const string PlainWrapper = """
        @http.middleware
        def tag(req, call_next):
            resp = call_next(req)
            return http.Response(resp.status, {**resp.headers, "x-wrapped": "plain"}, resp.body)
        """;

    [Fact]
    public async Task A_reload_that_adds_a_wrapper_sends_routed_requests_and_the_hosts_404_and_405_through_it_and_one_that_removes_it_stops()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", WrapScript("one", "# no middleware"));
        await using var siphon = await SiphonProcess.StartAsync(script);
        using var client = new HttpClient();

        async Task<(int Status, string? Wrapped, string Body)> Get(string path, HttpMethod? method = null)
        {
            using var r = await client.SendAsync(new HttpRequestMessage(method ?? HttpMethod.Get, siphon.Url + path));
            var wrapped = r.Headers.TryGetValues("x-wrapped", out var v) ? string.Join(",", v) : null;
            return ((int)r.StatusCode, wrapped, await r.Content.ReadAsStringAsync());
        }
        async Task Reload(string marker, string wrapper, int nth)
        {
            File.WriteAllText(script, WrapScript(marker, wrapper));
            siphon.Signal(1); // SIGHUP
            await WaitFor(siphon, o => Count(o, "reloaded (SIGHUP)") >= nth, $"reload {nth}");
        }

        Assert.Equal((200, null, "one"), await Get("/marker"));
        Assert.Equal((404, null, "not found\n"), await Get("/nope"));

        // Version 2 adds an async wrapper: routed requests and the host's own answers go through it.
        await Reload("two", AsyncWrapper, 1);
        Assert.Equal((200, "async", "two"), await Get("/marker"));
        Assert.Equal((404, "async", "not found\n"), await Get("/nope"));
        Assert.Equal((405, "async", "method not allowed\n"), await Get("/marker", HttpMethod.Delete));

        // Version 3's wrapper is a plain function: the host's answers run it on the sync pool.
        await Reload("three", PlainWrapper, 2);
        Assert.Equal((200, "plain", "three"), await Get("/marker"));
        Assert.Equal((404, "plain", "not found\n"), await Get("/nope"));

        // Version 4 removes it: the host answers 404 itself again, and routes run the plain chain.
        await Reload("four", "# no middleware", 3);
        Assert.Equal((200, null, "four"), await Get("/marker"));
        Assert.Equal((404, null, "not found\n"), await Get("/nope"));
        Assert.DoesNotContain("handler raised", siphon.Output);
        Assert.Equal(0, await siphon.StopAsync());
    }

    [Fact]
    public async Task A_script_that_imports_clr_loads_and_reloads_with_the_working_directory_its_own()
    {
        // pythonnet's clr module has __file__ "unknown": it must never count as one of the script's
        // local modules (dropped from sys.modules at load, it could not be imported again).
        using var dir = new TempDir();
        string Script(string marker) => $$"""
            import clr
            from System.Text import Encoding
            from siphon import http

            @http.route("/len")
            def length(req):
                return http.Response(body=f"{{marker}} {Encoding.UTF8.GetByteCount('héllo')}")
            """;
        var script = dir.Write("app.py", Script("one"));
        await using var siphon = await SiphonProcess.StartAsync(script); // its working directory is the script's
        using var client = new HttpClient();
        Assert.Equal("one 6", await client.GetStringAsync(siphon.Url + "/len"));
        File.WriteAllText(script, Script("two"));
        siphon.Signal(1); // SIGHUP
        await WaitFor(siphon, o => o.Contains("reloaded (SIGHUP)"), "the reload");
        Assert.Equal("two 6", await client.GetStringAsync(siphon.Url + "/len"));
        Assert.Equal(0, await siphon.StopAsync());
    }

    [Fact]
    public async Task A_change_to_a_local_module_alone_reloads_and_its_globals_start_fresh()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(Path.Combine(dir.Path, "lib"));
        dir.Write("lib/__init__.py", "");
        dir.Write("lib/names.py", "NAME = 'first'\nseen = []\n");
        var script = dir.Write("app.py", """
            from siphon import http
            from lib import names

            @http.route("/name")
            def name(req):
                names.seen.append(1)
                return http.Response(body=f"{names.NAME} {len(names.seen)}")
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, extraArgs: ["--reload"]);
        using var client = new HttpClient();
        Assert.Equal("first 1", await client.GetStringAsync(siphon.Url + "/name"));
        Assert.Equal("first 2", await client.GetStringAsync(siphon.Url + "/name"));

        File.WriteAllText(Path.Combine(dir.Path, "lib", "names.py"), "NAME = 'second'\nseen = []\n");
        await WaitFor(siphon, o => o.Contains("reloaded (names.py changed)"), "the reload of the changed module");
        Assert.Equal("second 1", await client.GetStringAsync(siphon.Url + "/name")); // imported afresh

        // A broken module is an import error of the new version: logged with its file and line.
        File.WriteAllText(Path.Combine(dir.Path, "lib", "names.py"), "NAME = 'third'\nraise KeyError('nope')\n");
        await WaitFor(siphon, o => o.Contains("failed; version"), "the failed reload");
        Assert.Contains("names.py\", line 2", siphon.Output);
        Assert.Equal("second 2", await client.GetStringAsync(siphon.Url + "/name")); // the old version, its module intact
        Assert.Equal(0, await siphon.StopAsync());
    }

    [Fact]
    public async Task Http_yaml_live_settings_apply_restart_only_ones_are_reported_and_a_bad_file_keeps_the_running_config()
    {
        using var dir = new TempDir();
        var hooks = Path.Combine(dir.Path, "hooks.log");
        static string Yaml(int maxBody, int workers, string clients = "{}") => $"""
            reload: true
            workers: {workers}
            servers:
              - listen: "127.0.0.1:0"
                max_body_bytes: {maxBody}
            cache:
              - name: c
            clients: {clients}
            """;
        var yaml = dir.Write("http.yaml", Yaml(64, 1));
        var script = dir.Write("app.py", Script("one", hooks));
        await using var siphon = await SiphonProcess.StartAsync(script, config: yaml);
        using var client = new HttpClient();
        async Task<HttpStatusCode> Post(int bytes)
        {
            using var r = await client.PostAsync(siphon.Url + "/put", new ByteArrayContent(Enumerable.Repeat((byte)'a', bytes).ToArray()));
            return r.StatusCode;
        }

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, await Post(100));
        Assert.Equal(HttpStatusCode.OK, await Post(10));
        Assert.Equal("1", await client.GetStringAsync(siphon.Url + "/count"));
        Assert.Equal("2", await client.GetStringAsync(siphon.Url + "/count"));
        Assert.Equal("unknown", await client.GetStringAsync(siphon.Url + "/client"));

        // A live limit and a restart-only key change together.
        File.WriteAllText(yaml, Yaml(1000, 3, "{up: {base_url: \"http://127.0.0.1:9\"}}"));
        await WaitFor(siphon, o => Count(o, "reloaded (http.yaml changed)") == 1, "the http.yaml reload");
        Assert.Contains("workers changed; that needs a restart", siphon.Output);
        Assert.Equal(HttpStatusCode.OK, await Post(100)); // the new body cap
        Assert.Equal("1", await client.GetStringAsync(siphon.Url + "/count")); // module globals start fresh
        Assert.Equal(new string('a', 100), await client.GetStringAsync(siphon.Url + "/get")); // the cache kept its contents
        Assert.Equal("known", await client.GetStringAsync(siphon.Url + "/client")); // the new named client

        // A bad file: logged with its key, the running config stays (the script still reloads).
        File.WriteAllText(yaml, Yaml(-5, 3));
        await WaitFor(siphon, o => o.Contains("keeping the running configuration"), "the bad http.yaml report");
        Assert.Contains("max_body_bytes", siphon.Output);
        Assert.Equal(HttpStatusCode.OK, await Post(100));
        Assert.Equal("known", await client.GetStringAsync(siphon.Url + "/client"));
        Assert.Equal(0, await siphon.StopAsync());
    }
}

/// <summary>Old versions do not leak: 100 reloads (SIGHUP) under load leave the interpreter's
/// allocated blocks, its GC-tracked objects and the process's RSS near where they started. Each
/// version holds 4,000 strings (~4,000 blocks, ~300 KB): keeping a single retired version would
/// blow through the blocks bound, keeping them all (~30 MB) the RSS one. RSS settles within the
/// warm-up (measured with wrk's load: flat ±1.5 MiB from reload 50 to 300 on 3.13). With 20,000
/// strings a version RSS climbs by tens of MiB before it levels off (the allocators keep freed
/// arenas) while the blocks stay flat.</summary>
[Collection(AloneCollection.Name)]
public class ReloadLeakTests(ITestOutputHelper output)
{
    private const string Script = """
        import gc, sys, time
        from siphon import http

        LOADED = str(time.monotonic_ns())
        DATA = [f"item-{i}-{LOADED}" for i in range(4_000)]

        @http.on_startup
        def up():
            globals()["started"] = True

        @http.on_shutdown
        async def down():
            globals()["stopped"] = True  # keeps DATA: a version kept alive would keep it too

        @http.route("/v")
        def v(req):
            return http.Response(body=LOADED)

        @http.route("/a")
        async def a(req):
            return http.Response(body=str(len(DATA)))

        @http.route("/objects")
        def objects(req):
            gc.collect()
            return http.Response(body=f"{sys.getallocatedblocks()} {len(gc.get_objects())}")
        """;

    [Fact]
    public async Task A_hundred_reloads_under_load_leave_objects_and_rss_near_their_start()
    {
        using var dir = new TempDir();
        await using var siphon = await SiphonProcess.StartAsync(dir.Write("leaky.py", Script));
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 8 }) { Timeout = TimeSpan.FromSeconds(30) };

        long bad = 0, answered = 0;
        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(async c =>
        {
            for (var i = c; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    using var r = await client.GetAsync(siphon.Url + (i % 2 == 0 ? "/v" : "/a"));
                    await r.Content.ReadAsStringAsync();
                    Interlocked.Increment(ref answered);
                    if (r.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref bad);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { Interlocked.Increment(ref bad); }
            }
        }));

        async Task Reloads(int n)
        {
            for (var i = 0; i < n; i++)
            {
                var before = await client.GetStringAsync(siphon.Url + "/v");
                siphon.Signal(1);
                var sw = Stopwatch.StartNew();
                while (await client.GetStringAsync(siphon.Url + "/v") == before)
                {
                    Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"reload {i} not taken:\n{siphon.Output}");
                    await Task.Delay(5);
                }
            }
        }
        async Task<(long Blocks, long Objects)> Python()
        {
            await Task.Delay(300); // the last retired version's on_shutdown and drop
            var parts = (await client.GetStringAsync(siphon.Url + "/objects")).Split(' ');
            return (long.Parse(parts[0]), long.Parse(parts[1]));
        }
        long Rss() => long.Parse(File.ReadLines($"/proc/{siphon.Pid}/status").First(l => l.StartsWith("VmRSS:")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;

        // Warm-up: JIT, pools, the .NET heap and the allocators' high-water mark under this load (a
        // leak grows with every reload; the warm-up's growth levels off: +15 MiB after 60 reloads).
        await Reloads(100);
        var (blocks0, objects0) = await Python();
        var rss0 = Rss();
        var sw = Stopwatch.StartNew();
        await Reloads(100);
        var took = sw.Elapsed;
        var (blocks1, objects1) = await Python();
        var rss1 = Rss();
        stop.Cancel();
        await load;

        output.WriteLine($"100 reloads in {took.TotalSeconds:F1} s under load ({answered} requests): " +
                         $"allocated blocks {blocks0} → {blocks1} ({blocks1 - blocks0:+#;-#;0}), gc objects {objects0} → {objects1} ({objects1 - objects0:+#;-#;0}), " +
                         $"RSS {rss0 >> 20} → {rss1 >> 20} MiB");
        Assert.Equal(0, bad);
        Assert.True(blocks1 - blocks0 < 2_000, $"allocated blocks grew from {blocks0} to {blocks1} over 100 reloads");
        Assert.True(objects1 - objects0 < 2_000, $"gc-tracked objects grew from {objects0} to {objects1} over 100 reloads");
        Assert.True(rss1 - rss0 < 16L << 20, $"RSS grew from {rss0 >> 20} MiB to {rss1 >> 20} MiB over 100 reloads");
        Assert.Equal(0, await siphon.StopAsync());
    }
}
