using System.Net;
using Siphon.Runtime.Config;
using static Siphon.Runtime.Unit.Tests.Config.ConfigTestSupport;

namespace Siphon.Runtime.Unit.Tests.Config;

public class ConfigLoaderTests
{
    private const string FullExample = """
        python: python3               # optional: a python executable or a libpython path
        workers: 1                    # optional: see docs/configuration.md
        access_log: false             # optional
        shutdown_grace_ms: 10000      # optional: drain time on SIGTERM/SIGINT
        servers:
          - listen: "127.0.0.1:8080"
            tls:                       # optional; present → TLS on this socket
              cert_path: server.crt
              key_path: server.key
              client_ca: client-ca.crt # optional; present → mutual TLS required
            max_body_bytes: 1048576    # optional; → 413
            request_timeout_ms: 30000  # optional; → 504
            trusted_proxies: ["10.0.0.0/8", "127.0.0.1"]   # IPs or CIDR ranges
        clients:
          api:
            base_url: "https://api.example.com"
            timeout_ms: 5000
            verify: ca.crt
            cert: [client.crt, client.key]   # or one combined PEM path
            pool_size: 16
            http2_prior_knowledge: false
        """;

    [Fact]
    public void FullExampleFromScriptApiParses()
    {
        var c = Parse(FullExample);

        Assert.Equal("python3", c.Python);
        Assert.Equal(1, c.Workers);
        Assert.Equal(WorkerMode.Processes, c.WorkerMode);
        Assert.False(c.AccessLog);
        Assert.Equal(10000, c.ShutdownGraceMs);
        Assert.Equal(Source, c.SourcePath);

        var s = Assert.Single(c.Servers);
        Assert.Equal(new ListenEndpoint("127.0.0.1", 8080), s.Listen);
        Assert.NotNull(s.Tls);
        Assert.Equal(Path.Combine(SourceDir, "server.crt"), s.Tls.CertPath);
        Assert.Equal(Path.Combine(SourceDir, "server.key"), s.Tls.KeyPath);
        Assert.Equal(Path.Combine(SourceDir, "client-ca.crt"), s.Tls.ClientCa);
        Assert.Equal(1048576, s.MaxBodyBytes);
        Assert.Equal(30000, s.RequestTimeoutMs);
        Assert.Equal([IpRange.Parse("10.0.0.0/8"), IpRange.Parse("127.0.0.1")], s.TrustedProxies);

        var api = Assert.Single(c.Clients).Value;
        Assert.Same(api, c.Clients["api"]);
        Assert.Equal("api", api.Name);
        Assert.Equal(new Uri("https://api.example.com"), api.BaseUrl);
        Assert.Equal(5000, api.TimeoutMs);
        Assert.Equal(Path.Combine(SourceDir, "ca.crt"), api.Verify);
        Assert.Equal(Path.Combine(SourceDir, "client.crt"), api.CertPath);
        Assert.Equal(Path.Combine(SourceDir, "client.key"), api.KeyPath);
        Assert.Equal(16, api.PoolSize);
        Assert.False(api.Http2PriorKnowledge);
    }

    [Fact]
    public void NonDefaultValuesAreRead()
    {
        var c = Parse("""
            workers: 4
            access_log: true
            shutdown_grace_ms: 0
            servers:
              - listen: "*:0"
                max_body_bytes: 10
                request_timeout_ms: 250
              - listen: "[::1]:8443"
            clients:
              h2:
                base_url: http://127.0.0.1:9000/v1/
                pool_size: 1
                http2_prior_knowledge: true
                cert: bundle.pem
            """);

        Assert.Equal(4, c.Workers);
        Assert.True(c.AccessLog);
        Assert.Equal(0, c.ShutdownGraceMs);
        Assert.Equal(2, c.Servers.Count);
        Assert.Equal("*", c.Servers[0].Listen.Host);
        Assert.Equal(0, c.Servers[0].Listen.Port);
        Assert.Equal(10, c.Servers[0].MaxBodyBytes);
        Assert.Equal(250, c.Servers[0].RequestTimeoutMs);
        Assert.Null(c.Servers[0].Tls);
        Assert.Empty(c.Servers[0].TrustedProxies);
        Assert.Equal("[::1]:8443", c.Servers[1].Listen.ToString());
        Assert.Equal(ServerConfig.DefaultMaxBodyBytes, c.Servers[1].MaxBodyBytes);

        var h2 = c.Clients["h2"];
        Assert.Equal("http://127.0.0.1:9000/v1/", h2.BaseUrl!.ToString());
        Assert.Equal(1, h2.PoolSize);
        Assert.True(h2.Http2PriorKnowledge);
        Assert.Equal(ClientConfig.DefaultTimeoutMs, h2.TimeoutMs);
        Assert.Null(h2.Verify);
        Assert.Equal(Path.Combine(SourceDir, "bundle.pem"), h2.CertPath);
        Assert.Null(h2.KeyPath);
    }

    [Fact]
    public void SiphonHttpSpellingsLoad_CertAndKeyAsTwoKeys_AndAClientWithoutBaseUrl()
    {
        var c = Parse("""
            clients:
              graph:
                base_url: https://graph.example.com/v19.0
                cert: certs/client.crt
                key: certs/client.key
              anywhere:
                timeout_ms: 2500
              empty: {}
            """);
        var graph = c.Clients["graph"];
        Assert.Equal(Path.Combine(SourceDir, "certs", "client.crt"), graph.CertPath);
        Assert.Equal(Path.Combine(SourceDir, "certs", "client.key"), graph.KeyPath);
        Assert.Null(c.Clients["anywhere"].BaseUrl);
        Assert.Equal(2500, c.Clients["anywhere"].TimeoutMs);
        Assert.Null(c.Clients["empty"].BaseUrl);
        Assert.Null(c.Clients["empty"].CertPath);
    }

    [Fact]
    public void DefaultConfigHasDocumentedValues()
    {
        var d = SiphonConfig.Default;
        Assert.Null(d.Python);
        Assert.Equal(1, d.Workers);
        Assert.Equal(WorkerMode.Processes, d.WorkerMode);
        Assert.False(d.AccessLog);
        Assert.Equal(10000, d.ShutdownGraceMs);
        Assert.Null(d.SyncThreads);
        Assert.Null(d.SyncThreadsMax);
        Assert.Equal(1024, d.SyncQueueMax);
        Assert.Equal(30, d.HandlerStallAbortSecs);
        Assert.Empty(d.Clients);
        Assert.Equal("", d.SourcePath);
        var s = Assert.Single(d.Servers);
        Assert.Equal("127.0.0.1:8080", s.Listen.ToString());
        Assert.Null(s.Tls);
        Assert.Equal(1048576, s.MaxBodyBytes);
        Assert.Equal(30000, s.RequestTimeoutMs);
        Assert.Empty(s.TrustedProxies);
        Assert.Equal(32768, s.MaxHeaderBytes);
        Assert.Equal(30000, s.HeaderTimeoutMs);
        Assert.Equal(130000, s.KeepAliveTimeoutMs);
        Assert.Null(s.MaxConnections);
    }

    [Fact]
    public void KestrelLimitsAreReadPerServer()
    {
        var c = Parse("servers:\n  - listen: 127.0.0.1:0\n    max_header_bytes: 4096\n    header_timeout_ms: 500\n    keep_alive_timeout_ms: 7000\n    max_connections: 3\n  - listen: 127.0.0.1:0\n");
        Assert.Equal((4096, 500, 7000, (long?)3), (c.Servers[0].MaxHeaderBytes, c.Servers[0].HeaderTimeoutMs, c.Servers[0].KeepAliveTimeoutMs, c.Servers[0].MaxConnections));
        Assert.Equal((32768, 30000, 130000, (long?)null), (c.Servers[1].MaxHeaderBytes, c.Servers[1].HeaderTimeoutMs, c.Servers[1].KeepAliveTimeoutMs, c.Servers[1].MaxConnections));
    }

    [Fact]
    public void SyncPoolKeysAreReadAndSizeThePool()
    {
        var c = Parse("sync_threads: 4\nsync_threads_max: 12\nsync_queue_max: 50\nhandler_stall_abort_secs: 0\n");
        Assert.Equal(new Hosting.Dispatch.SyncPoolOptions(4, 12, 50, 0), Hosting.Dispatch.SyncPoolOptions.From(c));
        // Alone, the core takes siphon's default ceiling; a ceiling alone below the default core lowers the core.
        Assert.Equal(Math.Max(32, 4 * 3), Hosting.Dispatch.SyncPoolOptions.From(Parse("sync_threads: 3\n")).MaxThreads);
        Assert.Equal(new Hosting.Dispatch.SyncPoolOptions(2, 2, 1024, 30), Hosting.Dispatch.SyncPoolOptions.From(Parse("sync_threads_max: 2\n")));
        var d = Hosting.Dispatch.SyncPoolOptions.From(SiphonConfig.Default);
        Assert.Equal(Math.Max(8, 2 * Environment.ProcessorCount), d.CoreThreads);
        Assert.Equal(Math.Max(32, 4 * d.CoreThreads), d.MaxThreads);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("---\n")]
    [InlineData("~\n")]
    public void EmptyDocumentGivesDefaults(string yaml)
    {
        var c = Parse(yaml);
        Assert.Equal(SiphonConfig.Default with { SourcePath = Source, Servers = c.Servers, Clients = c.Clients }, c);
        Assert.Equal([ServerConfig.Default], c.Servers);
        Assert.Empty(c.Clients);
        Assert.Equal(Source, c.SourcePath);
    }

    [Theory]
    [InlineData("workers: 2\n")]
    [InlineData("servers:\n")]
    [InlineData("servers: []\n")]
    [InlineData("servers: ~\n")]
    public void MissingOrEmptyServersMeansDefaultListener(string yaml)
    {
        var s = Assert.Single(Parse(yaml).Servers);
        Assert.Equal(ListenEndpoint.Default, s.Listen);
        Assert.Equal(ServerConfig.Default, s);
    }

    [Theory]
    [InlineData("worker_mode: processes\n", WorkerMode.Processes)]
    [InlineData("worker_mode: interpreters\n", WorkerMode.Interpreters)]
    [InlineData("workers: 4\nworker_mode: \"interpreters\"\n", WorkerMode.Interpreters)]
    [InlineData("worker_mode: 'processes'\n", WorkerMode.Processes)]
    [InlineData("workers: 2\n", WorkerMode.Processes)]
    [InlineData("worker_mode:\n", WorkerMode.Processes)]
    [InlineData("worker_mode: ~\n", WorkerMode.Processes)]
    [InlineData("worker_mode: ${UNSET_MODE:-}\n", WorkerMode.Processes)]
    [InlineData("worker_mode: ${UNSET_MODE:-interpreters}\n", WorkerMode.Interpreters)]
    public void WorkerModeIsReadAndDefaultsToProcesses(string yaml, WorkerMode expected)
    {
        Assert.Equal(expected, Parse(yaml).WorkerMode);
    }

    [Fact]
    public void WorkerModeFromEnv()
    {
        var c = Parse("workers: ${W}\nworker_mode: ${MODE}\n", new Dictionary<string, string> { ["W"] = "2", ["MODE"] = "interpreters" });
        Assert.Equal(2, c.Workers);
        Assert.Equal(WorkerMode.Interpreters, c.WorkerMode);
    }

    [Fact]
    public void OptionalValuesLeftEmptyTakeDefaults()
    {
        var c = Parse("""
            python:
            workers: ~
            access_log: null
            servers:
              - listen: 127.0.0.1:1
                max_body_bytes: ${UNSET_MAX:-}
                trusted_proxies:
            clients:
            """);
        Assert.Null(c.Python);
        Assert.Equal(1, c.Workers);
        Assert.False(c.AccessLog);
        Assert.Equal(ServerConfig.DefaultMaxBodyBytes, c.Servers[0].MaxBodyBytes);
        Assert.Empty(c.Servers[0].TrustedProxies);
        Assert.Empty(c.Clients);
    }

    [Fact]
    public void EnvExpansionWithValueAndDefault()
    {
        var env = new Dictionary<string, string> { ["PORT"] = "9191", ["API"] = "https://users.internal" };
        var c = Parse("""
            servers:
              - listen: "127.0.0.1:${PORT}"
              - listen: "127.0.0.1:${OTHER_PORT:-9292}"
            clients:
              a:
                base_url: ${API}
              b:
                base_url: "${B_API:-http://127.0.0.1:9000}"
            """, env);
        Assert.Equal(9191, c.Servers[0].Listen.Port);
        Assert.Equal(9292, c.Servers[1].Listen.Port);
        Assert.Equal(new Uri("https://users.internal"), c.Clients["a"].BaseUrl);
        Assert.Equal(new Uri("http://127.0.0.1:9000"), c.Clients["b"].BaseUrl);
    }

    [Fact]
    public void EnvDefaultIsUsedWhenVariableIsEmpty()
    {
        var c = Parse("workers: ${W:-3}\n", new Dictionary<string, string> { ["W"] = "" });
        Assert.Equal(3, c.Workers);
    }

    [Fact]
    public void EnvExpansionNestedInLongerString()
    {
        var env = new Dictionary<string, string> { ["HOST"] = "api.example.com", ["VER"] = "v2" };
        var c = Parse("""
            clients:
              api:
                base_url: "https://${HOST}:${PORT:-8443}/${VER}/"
                verify: "certs/${VER}/ca.pem"
            """, env);
        Assert.Equal("https://api.example.com:8443/v2/", c.Clients["api"].BaseUrl!.ToString());
        Assert.Equal(Path.Combine(SourceDir, "certs", "v2", "ca.pem"), c.Clients["api"].Verify);
    }

    [Fact]
    public void NumericAndBooleanFieldsFromEnv()
    {
        var env = new Dictionary<string, string> { ["MAX"] = "2048", ["LOG"] = "true", ["POOL"] = "32" };
        var c = Parse("""
            access_log: ${LOG}
            workers: ${WORKERS:-2}
            servers:
              - listen: 127.0.0.1:0
                max_body_bytes: ${MAX:-100}
                request_timeout_ms: ${TIMEOUT:-1500}
            clients:
              x:
                base_url: http://x
                pool_size: ${POOL}
            """, env);
        Assert.True(c.AccessLog);
        Assert.Equal(2, c.Workers);
        Assert.Equal(2048, c.Servers[0].MaxBodyBytes);
        Assert.Equal(1500, c.Servers[0].RequestTimeoutMs);
        Assert.Equal(32, c.Clients["x"].PoolSize);
    }

    [Fact]
    public void DoubleDollarIsALiteralDollar()
    {
        var c = Parse("python: \"/opt/$$py/${X:-bin}/python$$\"\n", new Dictionary<string, string>());
        Assert.Equal("/opt/$py/bin/python$", c.Python);
    }

    [Fact]
    public void EnvExpansionAppliesToTrustedProxiesAndTls()
    {
        var env = new Dictionary<string, string> { ["NET"] = "10.1.0.0/16", ["CERTS"] = "/etc/certs" };
        var c = Parse("""
            servers:
              - listen: 127.0.0.1:0
                trusted_proxies: ["${NET}", "${LB:-192.168.1.1}"]
                tls:
                  cert_path: ${CERTS}/server.crt
                  key_path: ${CERTS}/server.key
            """, env);
        Assert.Equal("10.1.0.0/16", c.Servers[0].TrustedProxies[0].ToString());
        Assert.Equal("192.168.1.1", c.Servers[0].TrustedProxies[1].ToString());
        Assert.Equal(Path.GetFullPath("/etc/certs/server.crt"), c.Servers[0].Tls!.CertPath);
    }

    [Fact]
    public void ProcessEnvironmentIsTheDefaultLookup()
    {
        var name = "SIPHON_CFG_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(name, "7");
        try
        {
            var c = ConfigLoader.Parse($"workers: ${{{name}}}\n", Source);
            Assert.Equal(7, c.Workers);
        }
        finally
        {
            Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void RelativePathsResolveAgainstConfigDirectoryAbsoluteStay()
    {
        var abs = Path.GetFullPath("/etc/ssl/server.key");
        var c = Parse($"""
            python: ./venv/bin/python3
            servers:
              - listen: 127.0.0.1:0
                tls:
                  cert_path: ../certs/server.crt
                  key_path: "{abs}"
            clients:
              c:
                base_url: https://x
                cert: [sub/c.crt, /abs/c.key]
            """);
        var tls = c.Servers[0].Tls!;
        Assert.Equal(Path.GetFullPath(Path.Combine(SourceDir, "..", "certs", "server.crt")), tls.CertPath);
        Assert.Equal(abs, tls.KeyPath);
        Assert.Null(tls.ClientCa);
        Assert.Equal(Path.Combine(SourceDir, "venv", "bin", "python3"), c.Python);
        Assert.Equal(Path.Combine(SourceDir, "sub", "c.crt"), c.Clients["c"].CertPath);
        Assert.Equal(Path.GetFullPath("/abs/c.key"), c.Clients["c"].KeyPath);
    }

    [Fact]
    public void BarePythonNameIsNotResolved()
    {
        Assert.Equal("python3.13", Parse("python: python3.13\n").Python);
    }

    [Fact]
    public void RelativeSourcePathResolvesAgainstCurrentDirectory()
    {
        var c = ConfigLoader.Parse("servers:\n  - listen: 127.0.0.1:0\n    tls: {cert_path: a.crt, key_path: a.key}\n", "conf/http.yaml", Env());
        Assert.Equal(Path.GetFullPath("conf/http.yaml"), c.SourcePath);
        Assert.Equal(Path.GetFullPath("conf/a.crt"), c.Servers[0].Tls!.CertPath);
    }

    [Fact]
    public void AnchorsAndAliasesWork()
    {
        var c = Parse("""
            servers:
              - listen: 127.0.0.1:1
                trusted_proxies: &lb ["10.0.0.0/8"]
              - listen: 127.0.0.1:2
                trusted_proxies: *lb
            """);
        Assert.Equal(c.Servers[0].TrustedProxies, c.Servers[1].TrustedProxies);
    }

    [Fact]
    public void EphemeralPortMayRepeat()
    {
        var c = Parse("servers:\n  - listen: 127.0.0.1:0\n  - listen: 127.0.0.1:0\n");
        Assert.Equal(2, c.Servers.Count);
    }

    [Fact]
    public void ClientNamesAreCaseSensitiveAndKeptInOrder()
    {
        var c = Parse("""
            clients:
              b: {base_url: "http://b"}
              a: {base_url: "http://a"}
              A: {base_url: "http://A"}
            """);
        Assert.Equal(["b", "a", "A"], c.Clients.Keys);
        Assert.Equal("a", c.Clients["a"].BaseUrl!.Host);
        Assert.False(c.Clients.ContainsKey("B"));
    }

    [Fact]
    public void LoadReadsAFile()
    {
        using var dir = new TempDir();
        var path = dir.Write("conf/http.yaml", "workers: 3\nservers:\n  - listen: 127.0.0.1:0\n    tls: {cert_path: s.crt, key_path: s.key}\n");
        var c = ConfigLoader.Load(path, Env());
        Assert.Equal(3, c.Workers);
        Assert.Equal(Path.GetFullPath(path), c.SourcePath);
        Assert.Equal(Path.Combine(dir.PathName, "conf", "s.crt"), c.Servers[0].Tls!.CertPath);
    }

    [Fact]
    public void LoadReportsErrorsWithTheGivenFileName()
    {
        using var dir = new TempDir();
        var path = dir.Write("http.yaml", "workers: 1\nworkers_: 2\n");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, Env()));
        Assert.Equal(path, e.File);
        Assert.Equal(2, e.Line);
        Assert.StartsWith($"{path}:2: workers_: unknown key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingFileIsAConfigException()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.PathName, "nope", "http.yaml");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(path, Env()));
        Assert.Equal(path, e.File);
        Assert.Null(e.Line);
        Assert.Null(e.Key);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RepositoryHttpYamlLoads()
    {
        var path = Path.Combine(Siphon.Tests.Shared.Repo.Root, "http.yaml");
        var c = ConfigLoader.Load(path, Env());

        var s = Assert.Single(c.Servers);
        Assert.Equal("127.0.0.1:8080", s.Listen.ToString());
        Assert.Null(s.Tls);
        var users = c.Clients["users"];
        Assert.Equal(new Uri("http://127.0.0.1:9000"), users.BaseUrl);
        Assert.Equal(5000, users.TimeoutMs);

        var overridden = ConfigLoader.Load(path, Env(new Dictionary<string, string> { ["USERS_API"] = "https://users.svc:8443" }));
        Assert.Equal(new Uri("https://users.svc:8443"), overridden.Clients["users"].BaseUrl);
    }

    [Fact]
    public void ListenEndpointFromConfigBindsToLoopback()
    {
        var ep = Parse("servers: [{listen: \"localhost:0\"}]\n").Servers[0].Listen.ToIPEndPoint();
        Assert.Equal(IPAddress.Loopback, ep.Address);
        Assert.Equal(0, ep.Port);
    }
}
