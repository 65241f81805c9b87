using Siphon.Runtime.Cli;
using Siphon.Runtime.Config;
using static Siphon.Runtime.Unit.Tests.Config.ConfigTestSupport;

namespace Siphon.Runtime.Unit.Tests.Config;

/// <summary>http.yaml on a live reload: what the running process takes and what needs a restart.</summary>
public class ConfigReloadTests
{
    private const string Base = """
        workers: 2
        reload: true
        servers:
          - listen: "127.0.0.1:8080"
            max_body_bytes: 100
            request_timeout_ms: 1000
            max_header_bytes: 4096
        clients:
          api: { base_url: "http://127.0.0.1:9000" }
        cache:
          - name: c
        """;

    [Fact]
    public void Reload_key_and_flag_are_read()
    {
        Assert.True(Parse("reload: true\n").Reload);
        Assert.False(Parse("").Reload);
        AssertError("reload: yes\n", 1, "reload", "expected a boolean");
        Assert.True(CommandLine.Parse(["run", "app.py", "--reload"]).Reload);
        Assert.Null(CommandLine.Parse(["run", "app.py"]).Reload);
        Assert.Contains("--reload", CommandLine.Usage);
    }

    [Fact]
    public void Live_settings_change_nothing_that_needs_a_restart_and_are_applied()
    {
        var running = Parse(Base);
        var loaded = Parse(Base.Replace("max_body_bytes: 100", "max_body_bytes: 5000").Replace("request_timeout_ms: 1000", "request_timeout_ms: 2000")
            .Replace("9000", "9001") + "\n  - name: d\nshutdown_grace_ms: 50\n");
        Assert.Empty(ConfigReload.NeedsRestart(running, loaded));

        var applied = ConfigReload.Apply(running, loaded);
        Assert.Equal(5000, applied.Servers[0].MaxBodyBytes);
        Assert.Equal(2000, applied.Servers[0].RequestTimeoutMs);
        Assert.Equal(4096, applied.Servers[0].MaxHeaderBytes);
        Assert.Equal(new Uri("http://127.0.0.1:9001"), applied.Clients["api"].BaseUrl);
        Assert.Equal(["c", "d"], applied.Caches.Select(c => c.Name));
        Assert.Equal(50, applied.ShutdownGraceMs);
    }

    [Theory]
    [InlineData("workers: 2", "workers: 3", "workers")]
    [InlineData("workers: 2", "workers: 2\nworker_mode: interpreters", "worker_mode")]
    [InlineData("workers: 2", "workers: 2\npython: /usr/bin/python3", "python")]
    [InlineData("workers: 2", "workers: 2\nsync_threads: 3", "sync_threads")]
    [InlineData("reload: true", "reload: false", "reload")]
    [InlineData("workers: 2", "workers: 2\nlog_format: json", "log_format")]
    [InlineData("workers: 2", "workers: 2\nadmin: { listen: \"127.0.0.1:9090\" }", "admin")]
    [InlineData("127.0.0.1:8080", "127.0.0.1:8081", "servers[0].listen")]
    [InlineData("max_header_bytes: 4096", "max_header_bytes: 8192", "servers[0].max_header_bytes")]
    public void Restart_only_settings_are_reported_and_kept(string from, string to, string key)
    {
        var running = Parse(Base);
        var loaded = Parse(Base.Replace(from, to));
        Assert.Equal([key], ConfigReload.NeedsRestart(running, loaded));
        var applied = ConfigReload.Apply(running, loaded);
        Assert.Equal(running.Workers, applied.Workers);
        Assert.Equal(running.WorkerMode, applied.WorkerMode);
        Assert.Equal(running.Python, applied.Python);
        Assert.Equal(running.SyncThreads, applied.SyncThreads);
        Assert.Equal(running.Reload, applied.Reload);
        Assert.Equal(running.LogFormat, applied.LogFormat);
        Assert.Equal(running.Admin, applied.Admin);
        Assert.Equal(running.Servers[0].Listen, applied.Servers[0].Listen);
        Assert.Equal(running.Servers[0].MaxHeaderBytes, applied.Servers[0].MaxHeaderBytes);
    }

    [Fact]
    public void A_changed_admin_listener_needs_a_restart()
    {
        var running = Parse(Base + "\nadmin: { listen: \"127.0.0.1:9090\" }\n");
        Assert.Empty(ConfigReload.NeedsRestart(running, Parse(Base + "\nadmin: { listen: \"127.0.0.1:9090\" }\n")));
        var loaded = Parse(Base + "\nadmin: { listen: \"127.0.0.1:9091\", stall_after_ms: 500 }\n");
        Assert.Equal(["admin"], ConfigReload.NeedsRestart(running, loaded));
        Assert.Equal(running.Admin, ConfigReload.Apply(running, loaded).Admin);
    }

    [Fact]
    public void A_changed_list_of_listeners_keeps_every_listener_as_it_runs()
    {
        var running = Parse(Base);
        var loaded = Parse(Base.Replace("max_body_bytes: 100", "max_body_bytes: 5000"));
        loaded = loaded with { Servers = [.. loaded.Servers, loaded.Servers[0] with { Listen = ListenEndpoint.Parse("127.0.0.1:9999") }] };
        Assert.Equal(["servers"], ConfigReload.NeedsRestart(running, loaded));
        var applied = ConfigReload.Apply(running, loaded);
        Assert.Single(applied.Servers);
        Assert.Equal(100, applied.Servers[0].MaxBodyBytes);
    }
}
