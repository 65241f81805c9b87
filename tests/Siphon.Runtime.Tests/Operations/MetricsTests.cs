using System.Net.Sockets;
using System.Text.Json;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Operations;

/// <summary>The admin listener end to end: a real siphon, real requests, real scrapes of /metrics.</summary>
public class MetricsTests
{
    private const string Script = """
        import asyncio
        from siphon import cache, http, log

        @http.route("/users/{id}")
        def user(req):
            return http.Response(body=req.path_params["id"])

        @http.route("/items/{id}", methods=["GET", "POST"])
        async def item(req):
            if req.method == "POST":
                return http.Response(status=201, body="made")
            return http.Response(status=404, body="no such item")

        @http.route("/boom")
        async def boom(req):
            raise ValueError("boom")

        @http.route("/up")
        async def up(req):
            r = await http.Client("upstream").get("/x")
            await cache.store("c", "k", r.body.decode())
            got = await cache.fetch("c", "k")
            log.info(f"upstream said {got}")
            return http.Response(body=got)
        """;

    private static double Count(List<PrometheusText.Sample> s, string route, string statusClass, string? worker = null) =>
        s.Where(x => x.Name == "siphon_request_duration_seconds_count" && x.Labels["route"] == route && x.Labels["status_class"] == statusClass
                     && (worker is null || x.Labels["worker"] == worker)).Sum(x => x.Value);

    [Fact]
    public async Task Scraped_request_counts_per_route_pattern_and_status_class_equal_what_was_sent()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", Script);
        await using var siphon = await SiphonProcess.StartAsync(script, dir.Write("http.yaml", Admin.Config()));
        var admin = await Admin.UrlAsync(siphon);
        using var client = new HttpClient();

        for (var i = 0; i < 37; i++) Assert.Equal(200, (int)(await client.GetAsync($"{siphon.Url}/users/{i}")).StatusCode);
        for (var i = 0; i < 11; i++) Assert.Equal(404, (int)(await client.GetAsync($"{siphon.Url}/items/{i}")).StatusCode);
        for (var i = 0; i < 5; i++) Assert.Equal(201, (int)(await client.PostAsync($"{siphon.Url}/items/{i}", new StringContent("x"))).StatusCode);
        for (var i = 0; i < 3; i++) Assert.Equal(500, (int)(await client.GetAsync($"{siphon.Url}/boom")).StatusCode);
        for (var i = 0; i < 7; i++) Assert.Equal(404, (int)(await client.GetAsync($"{siphon.Url}/nothing/{i}")).StatusCode);
        Assert.Equal(405, (int)(await client.DeleteAsync($"{siphon.Url}/users/1")).StatusCode);

        var s = await Admin.ScrapeAsync(admin);
        Assert.Equal(37, Count(s, "/users/{id}", "2xx"));
        Assert.Equal(11, Count(s, "/items/{id}", "4xx"));
        Assert.Equal(5, Count(s, "/items/{id}", "2xx"));
        Assert.Equal(3, Count(s, "/boom", "5xx"));
        Assert.Equal(8, Count(s, "(unmatched)", "4xx"));
        Assert.Equal(3, s.Single(x => x.Name == "siphon_python_exceptions_total" && x.Labels["route"] == "/boom").Value);
        // No raw path is ever a label value.
        Assert.DoesNotContain(s, x => x.Labels.Values.Any(v => v.StartsWith("/users/1") || v.StartsWith("/nothing")));
        // The handler-time histogram saw every request that reached Python (37 + 11 + 5 + 3).
        Assert.Equal(56, s.Where(x => x.Name == "siphon_worker_handler_duration_seconds_count").Sum(x => x.Value));
        Assert.Equal(0, await siphon.StopAsync());
    }

    [Fact]
    public async Task Ten_thousand_distinct_unmatched_paths_add_no_series()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", Script);
        await using var siphon = await SiphonProcess.StartAsync(script, dir.Write("http.yaml", Admin.Config()));
        var admin = await Admin.UrlAsync(siphon);
        using var client = new HttpClient();
        // One request of each kind first, so every series that can exist for them exists.
        await client.GetAsync($"{siphon.Url}/nothing/warm");
        await client.GetAsync($"{siphon.Url}/users/warm");
        var before = (await Admin.ScrapeAsync(admin)).Where(x => x.Name.StartsWith("siphon_")).Select(x => x.Series).ToHashSet();

        var sent = 0;
        await Parallel.ForAsync(0, 10_000, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var path = i % 2 == 0 ? $"/nothing/{Guid.NewGuid():N}/{i}" : $"/users/{i}/extra/{i}";
            using var r = await client.GetAsync(siphon.Url + path, ct);
            Assert.Equal(404, (int)r.StatusCode);
            Interlocked.Increment(ref sent);
        });

        var after = await Admin.ScrapeAsync(admin);
        var afterSeries = after.Where(x => x.Name.StartsWith("siphon_")).Select(x => x.Series).ToHashSet();
        Assert.Equal(before.Count, afterSeries.Count);
        Assert.True(before.SetEquals(afterSeries), "new series: " + string.Join("\n", afterSeries.Except(before)));
        Assert.Equal(10_001, Count(after, "(unmatched)", "4xx"));
        Assert.Equal(10_000, sent);
    }

    [Fact]
    public async Task Every_metric_the_grafana_dashboard_queries_is_in_a_real_scrape()
    {
        var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(SiphonProcess.RepoRoot, "deploy/grafana/siphon-dashboard.json")));
        var exprs = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray()).Select(t => t.GetProperty("expr").GetString()!).ToList();
        Assert.NotEmpty(exprs);
        var queried = exprs.SelectMany(e => System.Text.RegularExpressions.Regex.Matches(e, @"\b(siphon|kestrel|dotnet)_[a-z0-9_]+").Select(m => m.Value)).ToHashSet();
        Assert.Contains("siphon_worker_inbox_depth", queried);
        Assert.Contains("siphon_client_duration_seconds_bucket", queried);

        await using var upstream = await Upstream.StartAsync(ctx => Upstream.Text(ctx, 200, "hi"));
        using var dir = new TempDir();
        var script = dir.Write("app.py", Script);
        var config = Admin.Config($"""
            clients:
              upstream:
                base_url: "{upstream.Url}"
            cache:
              - name: c
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, dir.Write("http.yaml", config));
        var admin = await Admin.UrlAsync(siphon);
        using var client = new HttpClient();
        Assert.Equal("hi", await client.GetStringAsync($"{siphon.Url}/up"));
        await client.GetAsync($"{siphon.Url}/boom");
        await client.GetAsync($"{siphon.Url}/users/1");

        var scraped = (await Admin.ScrapeAsync(admin)).Select(x => x.Name).ToHashSet();
        var missing = queried.Where(q => !scraped.Contains(q)).ToList();
        Assert.True(missing.Count == 0, "the dashboard queries metrics the scrape lacks: " + string.Join(", ", missing));
        var s = await Admin.ScrapeAsync(admin);
        Assert.Equal(1, s.Single(x => x.Name == "siphon_client_duration_seconds_count").Value);
        Assert.Equal("upstream", s.Single(x => x.Name == "siphon_client_duration_seconds_count").Labels["client"]);
        Assert.Equal("2xx", s.Single(x => x.Name == "siphon_client_duration_seconds_count").Labels["outcome"]);
        Assert.Equal(1, s.Single(x => x.Name == "siphon_cache_duration_seconds_count" && x.Labels["op"] == "fetch" && x.Labels["outcome"] == "hit").Value);
        Assert.Equal("embedded", s.First(x => x.Name == "siphon_cache_duration_seconds_count").Labels["backend"]);
    }

    [Fact]
    public async Task Readiness_is_false_until_on_startup_has_run_and_again_from_sigterm_while_draining()
    {
        using var dir = new TempDir();
        var gate = Path.Combine(dir.Path, "go");
        var script = dir.Write("app.py", $$"""
            import asyncio, os, time
            from siphon import http

            @http.on_startup
            def wait_for_gate():
                while not os.path.exists({{JsonSerializer.Serialize(gate)}}):
                    time.sleep(0.02)

            @http.route("/slow")
            async def slow(req):
                open({{JsonSerializer.Serialize(gate + ".in")}}, "w").close()
                while not os.path.exists({{JsonSerializer.Serialize(gate + ".slow")}}):
                    await asyncio.sleep(0.02)
                return http.Response(body="slow done")
            """);
        var config = dir.Write("http.yaml", Admin.Config("shutdown_grace_ms: 10000"));
        await using var siphon = SiphonProcess.Launch(["run", script, "--config", config], dir.Path);
        var admin = await Admin.UrlAsync(siphon);

        // on_startup is blocked on the gate: the admin listener answers, not ready; alive.
        Assert.Equal((503, "starting\n"), await Admin.GetAsync(admin + "/readyz"));
        Assert.Equal(200, (await Admin.GetAsync(admin + "/livez")).Status);
        await Task.Delay(300);
        Assert.Equal(503, (await Admin.GetAsync(admin + "/readyz")).Status);
        File.WriteAllText(gate, "");
        var until = DateTime.UtcNow.AddSeconds(30);
        while ((await Admin.GetAsync(admin + "/readyz")).Status != 200)
        {
            Assert.True(DateTime.UtcNow < until, "never became ready:\n" + siphon.Output);
            await Task.Delay(20);
        }
        // Ready only once listening: the host prints its listening and ready lines before it turns
        // ready (the test reads the output through a pipe, so they may arrive a moment after the probe).
        await siphon.WaitForOutputAsync(SiphonProcess.ReadyLine, TimeSpan.FromSeconds(5));
        siphon.AssertReadyAfterListening(1);

        var url = System.Text.RegularExpressions.Regex.Match(siphon.Output, @"siphon: listening on (\S+)").Groups[1].Value;
        using var client = new HttpClient();
        var slow = client.GetStringAsync(url + "/slow");
        await Wait.UntilAsync(() => File.Exists(gate + ".in"), "the slow request in its handler");
        siphon.Signal(15);
        // Draining: not ready, while the admin listener still answers and the slow request finishes.
        until = DateTime.UtcNow.AddSeconds(5);
        (int Status, string Body) r;
        while ((r = await Admin.GetAsync(admin + "/readyz")).Status == 200)
        {
            Assert.True(DateTime.UtcNow < until, "still ready after SIGTERM");
            await Task.Delay(10);
        }
        Assert.Equal((503, "draining\n"), r);
        await Task.Delay(200);
        Assert.Equal((503, "draining\n"), await Admin.GetAsync(admin + "/readyz"));
        Assert.False(slow.IsCompleted);
        File.WriteAllText(gate + ".slow", "");
        Assert.Equal("slow done", await slow);
        Assert.Equal(0, await siphon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        // The admin listener went with the process.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Admin.GetAsync(admin + "/readyz"));
    }

    [Fact]
    public async Task Liveness_fails_while_a_worker_loop_is_blocked_past_stall_after_ms_and_recovers()
    {
        using var dir = new TempDir();
        var gate = Path.Combine(dir.Path, "go");
        var script = dir.Write("app.py", $$"""
            import os, time
            from siphon import http

            @http.route("/block")
            async def block(req):
                while not os.path.exists({{JsonSerializer.Serialize(gate)}}):
                    time.sleep(0.02)   # blocks the event loop: the mistake /livez exists to catch
                return http.Response(body="unblocked")
            """);
        var config = dir.Write("http.yaml", """
            admin:
              listen: "127.0.0.1:0"
              stall_after_ms: 1000
            servers:
              - listen: "127.0.0.1:0"
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, config);
        var admin = await Admin.UrlAsync(siphon);
        Assert.Equal((200, "ok\n"), await Admin.GetAsync(admin + "/livez"));
        using var client = new HttpClient();
        var blocked = client.GetStringAsync(siphon.Url + "/block");
        var until = DateTime.UtcNow.AddSeconds(30);
        (int Status, string Body) r;
        while ((r = await Admin.GetAsync(admin + "/livez")).Status == 200 && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.Equal(503, r.Status);
        Assert.Contains("worker 0: its event loop has not run for", r.Body);
        Assert.Contains("(stall_after_ms: 1000)", r.Body);
        Assert.False(blocked.IsCompleted);
        File.WriteAllText(gate, "");
        Assert.Equal("unblocked", await blocked);
        until = DateTime.UtcNow.AddSeconds(10);
        while ((r = await Admin.GetAsync(admin + "/livez")).Status != 200 && DateTime.UtcNow < until) await Task.Delay(50);
        Assert.Equal(200, r.Status);
    }

    [Fact]
    public async Task Processes_mode_one_scrape_of_the_supervisor_covers_both_workers()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", Script);
        await using var siphon = await SiphonProcess.StartAsync(script, dir.Write("http.yaml", Admin.Config("workers: 2\nworker_mode: processes")));
        var admin = await Admin.UrlAsync(siphon);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(siphon.Output, "admin listening on")); // the supervisor's only
        Assert.Equal((200, "ready\n"), await Admin.GetAsync(admin + "/readyz"));
        Assert.Equal((200, "ok\n"), await Admin.GetAsync(admin + "/livez"));

        // A new connection per request, so the kernel spreads them over both workers.
        const int n = 200;
        await Parallel.ForAsync(0, n, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            using var c = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero });
            using var msg = new HttpRequestMessage(HttpMethod.Get, $"{siphon.Url}/users/{i}");
            msg.Headers.ConnectionClose = true;
            using var r = await c.SendAsync(msg, ct);
            Assert.Equal(200, (int)r.StatusCode);
        });

        var s = await Admin.ScrapeAsync(admin);
        var w0 = Count(s, "/users/{id}", "2xx", "0");
        var w1 = Count(s, "/users/{id}", "2xx", "1");
        Assert.Equal(n, w0 + w1);
        Assert.True(w0 > 0 && w1 > 0, $"one worker served everything: {w0} / {w1}");
        // Every sample names its worker; per-worker gauges come from both.
        Assert.All(s, x => Assert.Contains(x.Labels["worker"], new[] { "0", "1" }));
        Assert.Equal(["0", "1"], s.Where(x => x.Name == "siphon_worker_inbox_depth").Select(x => x.Labels["worker"]).Order());

        // SIGTERM: the supervisor's /readyz turns 503 at once and answers until the workers have exited.
        siphon.Signal(15);
        var until = DateTime.UtcNow.AddSeconds(10);
        (int Status, string Body) ready;
        while ((ready = await Admin.GetAsync(admin + "/readyz")).Status == 200 && DateTime.UtcNow < until) await Task.Delay(5);
        Assert.Equal((503, "draining\n"), ready);
        Assert.Equal(0, await siphon.WaitForExitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task Json_log_lines_carry_timestamp_level_category_message_and_the_access_log_fields()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", """
            from siphon import http, log

            @http.route("/users/{id}")
            def user(req):
                log.warning(f"looked up {req.path_params['id']}")
                return http.Response(body="u")
            """);
        var config = dir.Write("http.yaml", """
            log_format: json
            access_log: true
            servers:
              - listen: "127.0.0.1:0"
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, config);
        using var client = new HttpClient();
        Assert.Equal("u", await client.GetStringAsync(siphon.Url + "/users/77?q=1"));
        Assert.Equal(0, await siphon.StopAsync());

        var objects = siphon.Output.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.NotEmpty(objects);
        foreach (var o in objects)
        {
            Assert.True(DateTime.TryParse(o.GetProperty("timestamp").GetString(), out _));
            Assert.Contains(o.GetProperty("level").GetString(), new[] { "debug", "info", "warning", "error", "critical" });
            Assert.False(string.IsNullOrEmpty(o.GetProperty("category").GetString()));
            Assert.NotNull(o.GetProperty("message").GetString());
        }
        var scriptLine = objects.Single(o => o.GetProperty("category").GetString() == "app");
        Assert.Equal("warning", scriptLine.GetProperty("level").GetString());
        Assert.Equal("looked up 77", scriptLine.GetProperty("message").GetString());
        var access = objects.Single(o => o.GetProperty("category").GetString() == "siphon.access");
        Assert.Equal("GET", access.GetProperty("method").GetString());
        Assert.Equal("/users/{id}", access.GetProperty("route").GetString());
        Assert.Equal("/users/77?q=1", access.GetProperty("target").GetString());
        Assert.Equal(200, access.GetProperty("status").GetInt32());
        Assert.True(access.GetProperty("duration_ms").GetDouble() >= 0);
        Assert.StartsWith("127.0.0.1:", access.GetProperty("client").GetString());
    }

    [Fact]
    public async Task Without_admin_no_admin_listener_is_started()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", Script);
        await using var siphon = await SiphonProcess.StartAsync(script);
        Assert.DoesNotContain("admin listening", siphon.Output);
        using var client = new HttpClient();
        // The serving listener knows nothing of the admin paths.
        Assert.Equal(404, (int)(await client.GetAsync(siphon.Url + "/metrics")).StatusCode);
        Assert.Equal(404, (int)(await client.GetAsync(siphon.Url + "/readyz")).StatusCode);
    }
}
