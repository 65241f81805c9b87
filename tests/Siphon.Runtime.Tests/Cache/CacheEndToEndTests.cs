using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Siphon.Runtime.Tests.EndToEnd;

namespace Siphon.Runtime.Tests.Cache;

/// <summary>siphon.cache through the real host: a real CPython, real sockets, a real redis-server
/// started by the test, and workers in both modes.</summary>
public class CacheEndToEndTests
{
    private static string Parity(string file) => Path.Combine(SiphonProcess.RepoRoot, "tests", "parity", file);

    /// <summary>Writes an http.yaml listening on an ephemeral loopback port with these `cache:` entries.</summary>
    internal static string Config(TempDir dir, string cacheEntries, int workers = 1, string mode = "processes") =>
        dir.Write("http.yaml", $"workers: {workers}\nworker_mode: {mode}\nservers:\n  - listen: \"127.0.0.1:0\"\ncache:\n"
            + string.Join("", cacheEntries.Split('\n').Select(l => "  " + l + "\n")));

    /// <summary>A new connection per request, so the kernel spreads requests over worker processes.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(string url, IDictionary<string, string>? headers = null,
        HttpMethod? method = null, string? body = null)
    {
        using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.Zero })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        using var msg = new HttpRequestMessage(method ?? HttpMethod.Get, url);
        msg.Headers.ConnectionClose = true;
        if (body is not null) msg.Content = new StringContent(body);
        foreach (var (k, v) in headers ?? new Dictionary<string, string>()) msg.Headers.TryAddWithoutValidation(k, v);
        using var r = await client.SendAsync(msg);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_contract_table_holds_on_the_embedded_store_and_on_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        using var dir = new TempDir();
        var config = Config(dir, $"""
            - name: mem
            - name: red
              url: "{redis.Url}"
            """);
        await using var siphon = await SiphonProcess.StartAsync(Parity("cache_app.py"), config);
        var cases = JsonDocument.Parse(File.ReadAllText(Parity("cache_cases.json"))).RootElement;
        foreach (var (name, label) in new[] { ("mem", "configured"), ("red", "configured"), ("nope", "unknown") })
        {
            var (status, body) = await GetAsync($"{siphon.Url}/contract/{name}");
            Assert.True(status == HttpStatusCode.OK, $"{name}: {status}\n{siphon.Output}");
            Assert.Equal(JsonSerializer.Serialize(cases.GetProperty(label)), JsonSerializer.Serialize(JsonDocument.Parse(body).RootElement));
        }
    }

    [Fact]
    public async Task A_bad_cache_entry_stops_the_start_with_exit_2_naming_file_line_and_key()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", "from siphon import http\n");
        var config = dir.Write("http.yaml", """
            cache:
              - name: dedup
                url: "redis://:secret@127.0.0.1:6379/x"
            """);
        await using var p = SiphonProcess.Launch(["run", script, "--config", config]);
        Assert.Equal(2, await p.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains($"{config}:3: cache[0].url: expected redis://", p.Output);
        Assert.DoesNotContain("secret", p.Output);
    }

    [Fact]
    public async Task Processes_mode_with_an_embedded_cache_warns_that_each_process_has_its_own_store()
    {
        using var dir = new TempDir();
        var script = dir.Write("app.py", "from siphon import http\n\n@http.route('/')\ndef r(req):\n    return http.Response()\n");
        var config = Config(dir, """
            - name: sessions
            """, workers: 2);
        await using var siphon = await SiphonProcess.StartAsync(script, config);
        Assert.Contains("warning:", siphon.Output);
        Assert.Contains("cache 'sessions' is an embedded store and 2 workers run as processes: each process has its own store", siphon.Output);
        Assert.Equal(0, await siphon.StopAsync());
    }

    private const string Guarded = """
        from siphon import cache, http

        @http.route("/get/{k}")
        async def get(req):
            try:
                value = await cache.fetch("red", req.path_params["k"])
            except cache.CacheError:
                return http.Response(503, body="cache down")
            return http.Response(200, body=value or "")

        @http.route("/plain")
        def plain(req):
            return http.Response(200, body="ok")
        """;

    [Fact]
    public async Task A_redis_outage_mid_load_gives_the_handlers_answer_in_time_and_the_service_recovers()
    {
        await using var redis = await RedisServer.StartAsync();
        Assert.Equal("+OK", await redis.CommandAsync("SET", "k", "v"));
        using var dir = new TempDir();
        var script = dir.Write("guarded.py", Guarded);
        var config = Config(dir, $"""
            - name: red
              url: "{redis.Url}"
              timeout_ms: 300
            """);
        await using var siphon = await SiphonProcess.StartAsync(script, config);

        var results = new System.Collections.Concurrent.ConcurrentQueue<(long AtMs, HttpStatusCode Status, long TookMs)>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var load = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var started = clock.ElapsedMilliseconds;
                using var r = await client.GetAsync($"{siphon.Url}/get/k");
                results.Enqueue((started, r.StatusCode, clock.ElapsedMilliseconds - started));
            }
        })).ToArray();

        // Serving from Redis first (its first connect may take a while on a loaded machine).
        await Wait.UntilAsync(() => results.Count(r => r.Status == HttpStatusCode.OK) >= 20, "20 answers from Redis");
        await redis.StopAsync();
        var down = clock.ElapsedMilliseconds;
        // The outage lasts until a good number of requests have started and finished inside it.
        await Wait.UntilAsync(() => results.Count(r => r.AtMs > down + 100) >= 24, "24 answers during the outage", TimeSpan.FromSeconds(30));
        // Other routes keep serving while Redis is down.
        Assert.Equal("ok", await client.GetStringAsync($"{siphon.Url}/plain"));
        var up = clock.ElapsedMilliseconds; // before the restart: a request may succeed as soon as Redis answers
        await redis.StartAgainAsync(); // empty: no persistence
        Assert.Equal("+OK", await redis.CommandAsync("SET", "k", "again"));
        var recovered = -1L;
        while (clock.ElapsedMilliseconds - up < 30_000)
        {
            if (results.Any(r => r.AtMs > up && r.Status == HttpStatusCode.OK)) { recovered = clock.ElapsedMilliseconds - up; break; }
            await Task.Delay(100);
        }
        stop.Cancel();
        await Task.WhenAll(load);

        Assert.True(recovered >= 0, "no 200 within 30 s of Redis coming back");
        var during = results.Where(r => r.AtMs > down + 100 && r.AtMs + r.TookMs < up).ToList();
        Assert.NotEmpty(during);
        Assert.All(during, r => Assert.Equal(HttpStatusCode.ServiceUnavailable, r.Status)); // the handler's answer to CacheError
        // Nothing hangs: every request answered within timeout_ms plus a generous margin for a loaded 2-core machine.
        Assert.All(results, r => Assert.True(r.TookMs < 300 + 4700, $"a request took {r.TookMs} ms"));
        Assert.Equal("again", (await GetAsync($"{siphon.Url}/get/k")).Body);
        Assert.Equal(0, await siphon.StopAsync());
    }

    // The WhatsApp-style dedup of siphon's example: check exists, then store with a TTL.
    private const string Webhook = """
        import json, os
        from siphon import cache, http, log

        @http.route("/webhook", methods=["POST"])
        async def webhook(req):
            msg_id = json.loads(req.body())["entry"][0]["id"]
            if await cache.exists("dedup", msg_id):
                log.info(f"duplicate delivery {msg_id}")
                return http.Response(200, body=f"duplicate {os.getpid()}")
            await cache.store("dedup", msg_id, "1", ttl=86400)
            await cache.list_push("dedup", "processed", msg_id)
            return http.Response(200, body=f"processed {os.getpid()}")

        @http.route("/processed")
        async def processed(req):
            return http.Response(200, body=json.dumps(await cache.list_pop_all("dedup", "processed")))
        """;

    [Fact]
    public async Task Sequential_redeliveries_of_a_webhook_are_processed_once_across_two_worker_processes_on_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        using var dir = new TempDir();
        var script = dir.Write("whatsapp.py", Webhook);
        // siphon's field names, local LRU included (it serves fetch only, so exists always asks Redis).
        var config = Config(dir, $"""
            - name: dedup
              url: "{redis.Url}"
              local_ttl_secs: 60
              local_max_entries: 1000
            """, workers: 2);
        await using var siphon = await SiphonProcess.StartAsync(script, config);
        var pids = new HashSet<string>();
        var outcomes = new Dictionary<string, List<string>>();
        for (var id = 0; id < 20; id++)
            for (var delivery = 0; delivery < 4; delivery++)
            {
                var (status, body) = await GetAsync($"{siphon.Url}/webhook", method: HttpMethod.Post,
                    body: $$"""{"entry": [{"id": "wamid.{{id}}"}]}""");
                Assert.Equal(HttpStatusCode.OK, status);
                var parts = body.Split(' ');
                pids.Add(parts[1]);
                (outcomes.TryGetValue($"wamid.{id}", out var l) ? l : outcomes[$"wamid.{id}"] = []).Add(parts[0]);
            }
        Assert.Equal(2, pids.Count); // both workers took deliveries
        foreach (var (_, seen) in outcomes)
            Assert.Equal(["processed", "duplicate", "duplicate", "duplicate"], seen);
        var processed = JsonSerializer.Deserialize<List<string>>((await GetAsync($"{siphon.Url}/processed")).Body)!;
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"wamid.{i}"), processed);
        var ttl = int.Parse((await redis.CommandAsync("TTL", "wamid.3")).TrimStart(':'));
        Assert.InRange(ttl, 86_000, 86_400);
        Assert.Equal(0, await siphon.StopAsync());
    }

    private const string Queue = """
        import json, os
        from siphon import cache, http

        @http.route("/push/{i}", methods=["POST"])
        async def push(req):
            await cache.list_push("q", "jobs", req.path_params["i"])
            return http.Response(200, body=str(os.getpid()))

        @http.route("/drain", methods=["POST"])
        async def drain(req):
            return http.Response(200, body=json.dumps([os.getpid(), await cache.list_pop_all("q", "jobs")]))
        """;

    [Fact]
    public async Task List_pop_all_is_atomic_under_concurrent_pushes_from_two_worker_processes_on_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        using var dir = new TempDir();
        var script = dir.Write("queue.py", Queue);
        var config = Config(dir, $"""
            - name: q
              url: "{redis.Url}"
            """, workers: 2);
        await using var siphon = await SiphonProcess.StartAsync(script, config);
        const int n = 600;
        var pushPids = new System.Collections.Concurrent.ConcurrentBag<string>();
        var drained = new System.Collections.Concurrent.ConcurrentBag<string>();
        var drainPids = new System.Collections.Concurrent.ConcurrentBag<string>();
        var next = -1;
        var pushing = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < n)
            {
                var (status, body) = await GetAsync($"{siphon.Url}/push/{i}", method: HttpMethod.Post);
                Assert.Equal(HttpStatusCode.OK, status);
                pushPids.Add(body);
            }
        })).ToArray();
        async Task Drain()
        {
            var doc = JsonDocument.Parse((await GetAsync($"{siphon.Url}/drain", method: HttpMethod.Post)).Body).RootElement;
            drainPids.Add(doc[0].ToString());
            foreach (var item in doc[1].EnumerateArray()) drained.Add(item.GetString()!);
        }
        var draining = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (pushing.Any(t => !t.IsCompleted)) await Drain();
        })).ToArray();
        await Task.WhenAll([.. pushing, .. draining]);
        await Drain();

        Assert.Equal(2, pushPids.Distinct().Count());
        Assert.Equal(2, drainPids.Distinct().Count());
        // Every pushed item drained exactly once: none lost between LRANGE and DEL, none twice.
        Assert.Equal(Enumerable.Range(0, n).Select(i => i.ToString()).Order(), drained.Order());
        Assert.Equal(0, await siphon.StopAsync());
    }

    private static async Task<List<(HttpStatusCode Status, string Body)>> Burst(string url, int requests, string apiKey)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 32, PooledConnectionLifetime = TimeSpan.Zero });
        return [.. await Task.WhenAll(Enumerable.Range(0, requests).Select(async _ =>
        {
            using var msg = new HttpRequestMessage(HttpMethod.Get, $"{url}/limited");
            msg.Headers.ConnectionClose = true;
            msg.Headers.Add("x-api-key", apiKey);
            using var r = await client.SendAsync(msg);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }))];
    }

    [Fact]
    public async Task The_rate_limit_example_counts_exactly_over_two_worker_processes_on_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        using var dir = new TempDir();
        var config = Config(dir, $"""
            - name: ratelimit
              url: "{redis.Url}"
            """, workers: 2);
        var script = Path.Combine(SiphonProcess.RepoRoot, "examples", "rate_limit.py");
        await using var siphon = await SiphonProcess.StartAsync(script, config, env: new Dictionary<string, string> { ["RATE_LIMIT"] = "37" });
        var results = await Burst(siphon.Url, 200, "k1");
        Assert.Equal(37, results.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(200 - 37, results.Count(r => r.Status == HttpStatusCode.TooManyRequests));
        Assert.Equal(":200", await redis.CommandAsync("LLEN", "rl:k1"));
        var ttl = int.Parse((await redis.CommandAsync("TTL", "rl:k1")).TrimStart(':'));
        Assert.InRange(ttl, 1, 60); // the window was set
        Assert.Equal(0, await siphon.StopAsync());
    }

    [Python313Fact]
    public async Task The_rate_limit_example_counts_exactly_over_two_interpreters_on_the_embedded_store()
    {
        using var dir = new TempDir();
        var config = Config(dir, """
            - name: ratelimit
            """, workers: 2, mode: "interpreters");
        var script = Path.Combine(SiphonProcess.RepoRoot, "examples", "rate_limit.py");
        var env = Pythons.WithoutSuitePython();
        env["RATE_LIMIT"] = "37";
        await using var siphon = await SiphonProcess.StartAsync(script, config, ["--python", Pythons.AtLeast313!], env);
        var results = await Burst(siphon.Url, 200, "k1");
        Assert.Equal(37, results.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(200 - 37, results.Count(r => r.Status == HttpStatusCode.TooManyRequests));
        Assert.Equal("200\n", (await GetAsync($"{siphon.Url}/usage/k1")).Body);
        Assert.DoesNotContain("warning:", siphon.Output); // one process: the store is shared, nothing to warn about
        Assert.Equal(0, await siphon.StopAsync());
    }
}
