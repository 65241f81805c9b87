using Siphon.Runtime.Config;
using static Siphon.Runtime.Unit.Tests.Config.ConfigTestSupport;

namespace Siphon.Runtime.Unit.Tests.Config;

public class ConfigErrorTests
{
    [Fact]
    public void MessageFormatMatchesTheContract()
    {
        var e = new ConfigException("http.yaml", 7, "servers[0].max_bodybytes", "unknown key (expected one of: listen)");
        Assert.Equal("http.yaml:7: servers[0].max_bodybytes: unknown key (expected one of: listen)", e.Message);
        Assert.Equal("http.yaml: config file not found", new ConfigException("http.yaml", null, null, "config file not found").Message);
        Assert.Equal("http.yaml:3: bad", new ConfigException("http.yaml", 3, null, "bad").Message);
    }

    [Fact]
    public void UnknownServerKeyListsAllowedKeysAndSuggests()
    {
        var e = AssertError("""
            workers: 1
            servers:
              - listen: "127.0.0.1:8080"
                max_bodybytes: 10
            """, 4, "servers[0].max_bodybytes", "unknown key (expected one of: listen, tls, max_body_bytes, request_timeout_ms, trusted_proxies, max_header_bytes, header_timeout_ms, keep_alive_timeout_ms, max_connections, websocket)");
        Assert.Contains("did you mean 'max_body_bytes'?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTopLevelKeyWithoutCloseMatchHasNoSuggestion()
    {
        var e = AssertError("workers: 1\ncolour: blue\n", 2, "colour",
            "unknown key (expected one of: python, workers, worker_mode, sync_threads, sync_threads_max, sync_queue_max, handler_stall_abort_secs, access_log, log_format, reload, shutdown_grace_ms, servers, clients, cache, admin, tracing, extensions)");
        Assert.DoesNotContain("did you mean", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("accessLog: true\n", "access_log")]
    [InlineData("shutdown-grace-ms: 5\n", "shutdown_grace_ms")]
    [InlineData("worker: 2\n", "workers")]
    [InlineData("workermode: interpreters\n", "worker_mode")]
    [InlineData("worker-mode: processes\n", "worker_mode")]
    [InlineData("Servers: []\n", "servers")]
    public void CloseTopLevelKeysGetASuggestion(string yaml, string suggestion)
    {
        var e = Assert.Throws<ConfigException>(() => Parse(yaml));
        Assert.Equal(1, e.Line);
        Assert.Contains($"did you mean '{suggestion}'?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownTlsKey()
    {
        AssertError("""
            servers:
              - listen: 127.0.0.1:0
                tls:
                  cert_path: a
                  key_path: b
                  client-ca: c
            """, 6, "servers[0].tls.client-ca", "unknown key (expected one of: cert_path, key_path, client_ca); did you mean 'client_ca'?");
    }

    [Fact]
    public void UnknownClientKey()
    {
        AssertError("""
            clients:
              api:
                base_url: http://x
                timeout: 5
            """, 4, "clients.api.timeout", "did you mean 'timeout_ms'?");
    }

    [Fact]
    public void ClientNameWithOddCharactersIsQuotedInKey()
    {
        AssertError("""
            clients:
              "my api":
                base_url: nope
            """, 3, "clients[\"my api\"].base_url", "absolute http:// or https:// URL");
    }

    [Fact]
    public void StringForIntegerIsRejected()
    {
        AssertError("""
            servers:
              - listen: 127.0.0.1:0
                max_body_bytes: "big"
            """, 3, "servers[0].max_body_bytes", "expected an integer, got 'big'");
    }

    [Theory]
    [InlineData("workers: 1.5\n", "workers", "expected an integer, got '1.5'")]
    [InlineData("workers: 0x10\n", "workers", "expected an integer")]
    [InlineData("workers: 0\n", "workers", "must be greater than 0, got 0")]
    [InlineData("workers: -2\n", "workers", "must be greater than 0, got -2")]
    [InlineData("workers: 99999999999\n", "workers", "must be at most 2147483647")]
    [InlineData("workers: 99999999999999999999999\n", "workers", "out of range")]
    [InlineData("shutdown_grace_ms: -1\n", "shutdown_grace_ms", "must not be negative, got -1")]
    [InlineData("sync_threads: 0\n", "sync_threads", "must be greater than 0, got 0")]
    [InlineData("sync_threads: 5000\n", "sync_threads", "must be at most 4096, got 5000")]
    [InlineData("sync_threads: many\n", "sync_threads", "expected an integer, got 'many'")]
    [InlineData("sync_threads_max: -1\n", "sync_threads_max", "must be greater than 0, got -1")]
    [InlineData("sync_queue_max: 0\n", "sync_queue_max", "must be greater than 0, got 0")]
    [InlineData("handler_stall_abort_secs: -5\n", "handler_stall_abort_secs", "must not be negative, got -5")]
    [InlineData("handler_stall_abort_secs: 1.5\n", "handler_stall_abort_secs", "expected an integer, got '1.5'")]
    [InlineData("access_log: yes\n", "access_log", "expected a boolean (true or false), got 'yes'")]
    [InlineData("access_log: 1\n", "access_log", "expected a boolean (true or false), got '1'")]
    [InlineData("access_log: True\n", "access_log", "expected a boolean")]
    [InlineData("workers: [1]\n", "workers", "expected a single value, got a sequence")]
    [InlineData("worker_mode: threads\n", "worker_mode", "expected 'processes' or 'interpreters', got 'threads'")]
    [InlineData("worker_mode: Interpreters\n", "worker_mode", "expected 'processes' or 'interpreters', got 'Interpreters'")]
    [InlineData("worker_mode: 2\n", "worker_mode", "expected 'processes' or 'interpreters', got '2'")]
    [InlineData("worker_mode: [processes]\n", "worker_mode", "expected a single value, got a sequence")]
    [InlineData("worker_mode: {interpreters: true}\n", "worker_mode", "expected a single value, got a mapping")]
    [InlineData("python: {path: x}\n", "python", "expected a single value, got a mapping")]
    [InlineData("servers: {listen: x}\n", "servers", "expected a sequence of servers")]
    [InlineData("servers: 127.0.0.1:8080\n", "servers", "expected a sequence of servers")]
    [InlineData("clients: [a]\n", "clients", "expected a mapping of client names")]
    public void WrongTypesAndRangesOnTopLevel(string yaml, string key, string reason)
    {
        AssertError(yaml, 1, key, reason);
    }

    [Theory]
    [InlineData("max_header_bytes: 100", "max_header_bytes", "must be at least 1024, got 100")]
    [InlineData("max_header_bytes: 99999999", "max_header_bytes", "must be at most 16777216, got 99999999")]
    [InlineData("header_timeout_ms: 0", "header_timeout_ms", "must be greater than 0, got 0")]
    [InlineData("keep_alive_timeout_ms: soon", "keep_alive_timeout_ms", "expected an integer, got 'soon'")]
    [InlineData("max_connections: -3", "max_connections", "must be greater than 0, got -3")]
    public void KestrelLimitsOnAServerAreChecked(string line, string key, string reason)
    {
        AssertError($"servers:\n  - listen: 127.0.0.1:0\n    {line}\n", 3, $"servers[0].{key}", reason);
    }

    [Fact]
    public void SyncThreadsMaxBelowSyncThreadsNamesTheCeilingLine()
    {
        AssertError("sync_threads: 16\nsync_threads_max: 8\n", 2, "sync_threads_max", "must be at least sync_threads (16), got 8");
    }

    [Fact]
    public void WorkerModeFromEnvNamesTheExpandedValueAndItsSource()
    {
        AssertError("workers: 2\nworker_mode: ${MODE}\n", 2, "worker_mode", "expected 'processes' or 'interpreters', got 'subinterpreters' (from '${MODE}')",
            new Dictionary<string, string> { ["MODE"] = "subinterpreters" });
    }

    [Theory]
    [InlineData("max_body_bytes: 0", "servers[0].max_body_bytes", "must be greater than 0")]
    [InlineData("max_body_bytes: -5", "servers[0].max_body_bytes", "must be greater than 0, got -5")]
    [InlineData("request_timeout_ms: 0", "servers[0].request_timeout_ms", "must be greater than 0")]
    [InlineData("request_timeout_ms: soon", "servers[0].request_timeout_ms", "expected an integer, got 'soon'")]
    [InlineData("trusted_proxies: 10.0.0.0/8", "servers[0].trusted_proxies", "expected a sequence of IPs or CIDR ranges")]
    [InlineData("tls: yes", "servers[0].tls", "expected a mapping with cert_path and key_path")]
    [InlineData("tls:", "servers[0].tls", "expected a mapping with cert_path and key_path")]
    public void WrongServerValues(string line3, string key, string reason)
    {
        AssertError($"servers:\n  - listen: 127.0.0.1:0\n    {line3}\n", 3, key, reason);
    }

    [Theory]
    [InlineData("10.0.0.0/33", "prefix length '33' must be a number from 0 to 32")]
    [InlineData("10.0.0.1/8", "did you mean 10.0.0.0/8?")]
    [InlineData("10.0.0", "is not an IPv4 address")]
    [InlineData("example.com", "is not an IPv4 address")]
    [InlineData("fe80::/129", "from 0 to 128")]
    public void BadCidr(string range, string reason)
    {
        AssertError($"""
            servers:
              - listen: 127.0.0.1:0
                trusted_proxies:
                  - 127.0.0.1
                  - "{range}"
            """, 5, "servers[0].trusted_proxies[1]", reason);
    }

    [Theory]
    [InlineData("127.0.0.1", "missing port")]
    [InlineData("127.0.0.1:http", "port 'http' must be a number from 0 to 65535")]
    [InlineData("127.0.0.1:65536", "port '65536' must be a number from 0 to 65535")]
    [InlineData("::1:8080", "an IPv6 address must be in brackets")]
    [InlineData("example.com:80", "host 'example.com' must be an IP address, 'localhost' or '*'")]
    [InlineData(":8080", "missing host")]
    public void UnparseableListen(string listen, string reason)
    {
        var e = AssertError($"""
            workers: 1
            servers:
              - listen: 127.0.0.1:1
              - listen: "{listen}"
            """, 4, "servers[1].listen", reason);
        Assert.Contains($"invalid listen address '{listen}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingListen()
    {
        AssertError("servers:\n  - max_body_bytes: 5\n", 2, "servers[0].listen", "required key is missing");
    }

    [Fact]
    public void EmptyListen()
    {
        AssertError("servers:\n  - listen: \"\"\n", 2, "servers[0].listen", "must not be empty");
    }

    [Fact]
    public void ServerItemMustBeAMapping()
    {
        AssertError("servers:\n  - 127.0.0.1:8080\n", 2, "servers[0]", "expected a mapping (listen: ..., max_body_bytes: ...), got a string");
    }

    [Fact]
    public void DuplicateListenAddress()
    {
        AssertError("""
            servers:
              - listen: 127.0.0.1:8080
              - listen: 127.0.0.1:9090
              - listen: "127.0.0.1:8080"
            """, 4, "servers[2].listen", "127.0.0.1:8080 is already used by servers[0]");
    }

    [Fact]
    public void MissingTlsKeyPath()
    {
        AssertError("""
            servers:
              - listen: 127.0.0.1:0
                tls:
                  cert_path: a.crt
            """, 4, "servers[0].tls.key_path", "required key is missing");
    }

    [Theory]
    [InlineData("api.example.com")]
    [InlineData("/v1/users")]
    [InlineData("ftp://files.example.com")]
    [InlineData("http:example.com")]
    public void NonAbsoluteOrNonHttpBaseUrl(string url)
    {
        AssertError($"""
            clients:
              api:
                timeout_ms: 10
                base_url: "{url}"
            """, 4, "clients.api.base_url", $"expected an absolute http:// or https:// URL, got '{url}'");
    }

    [Fact]
    public void ClientWithoutSettings()
    {
        AssertError("clients:\n  api:\n", 2, "clients.api", "expected a mapping of client settings (base_url: ..., timeout_ms: ...), got null");
    }

    [Theory]
    [InlineData("key: c.key", 4, "clients.api.key", "key needs cert beside it")]
    [InlineData("cert: [a.crt, b.key]\n    key: c.key", 4, "clients.api.cert", "with key set, cert must be one certificate path, got a sequence")]
    [InlineData("cert: a.crt\n    key: \"\"", 5, "clients.api.key", "expected the key path, got an empty value")]
    [InlineData("cert: \"\"\n    key: c.key", 4, "clients.api.cert", "expected the certificate path, got an empty value")]
    public void WrongClientCertAndKeyPair(string lines, int line, string key, string reason)
    {
        AssertError($"clients:\n  api:\n    base_url: https://x\n    {lines}\n", line, key, reason);
    }

    [Theory]
    [InlineData("timeout_ms: 0", "clients.api.timeout_ms", "must be greater than 0")]
    [InlineData("pool_size: 0", "clients.api.pool_size", "must be greater than 0")]
    [InlineData("http2_prior_knowledge: on", "clients.api.http2_prior_knowledge", "expected a boolean (true or false), got 'on'")]
    [InlineData("verify: false", "clients.api.verify", "turning verification off is not supported")]
    [InlineData("cert: [a.crt]", "clients.api.cert", "got a sequence of 1 item(s)")]
    [InlineData("cert: [a.crt, b.key, c]", "clients.api.cert", "a combined PEM path, [cert_path, key_path], or a certificate path with key: beside it")]
    [InlineData("cert: {path: a}", "clients.api.cert", "got a mapping")]
    public void WrongClientValues(string line4, string key, string reason)
    {
        AssertError($"clients:\n  api:\n    base_url: https://x\n    {line4}\n", 4, key, reason);
    }

    [Fact]
    public void DuplicateKey()
    {
        AssertError("""
            servers:
              - listen: 127.0.0.1:1
                max_body_bytes: 5
                max_body_bytes: 6
            """, 4, "servers[0].max_body_bytes", "duplicate key (first set on line 3)");
    }

    [Fact]
    public void DuplicateTopLevelKey()
    {
        AssertError("workers: 1\naccess_log: true\nworkers: 2\n", 3, "workers", "duplicate key (first set on line 1)");
    }

    [Fact]
    public void DuplicateClientName()
    {
        AssertError("clients:\n  a: {base_url: http://a}\n  a: {base_url: http://b}\n", 3, "clients.a", "duplicate key");
    }

    [Fact]
    public void YamlSyntaxErrorReportsItsLineAndKey()
    {
        var e = AssertError("""
            workers: 1
            servers:
              - listen: 127.0.0.1:1
                trusted_proxies: [10.0.0.1,
            """, 5, "servers[0].trusted_proxies", "YAML syntax error");
        Assert.IsAssignableFrom<YamlDotNet.Core.YamlException>(e.InnerException);
    }

    [Fact]
    public void YamlSyntaxErrorUnclosedQuote()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("workers: 1\naccess_log: false\npython: \"abc\n"));
        Assert.Equal("python", e.Key);
        Assert.True(e.Line >= 3, $"line {e.Line}");
        Assert.Contains("YAML syntax error", e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{Source}:{e.Line}: python: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TabIndentationIsASyntaxError()
    {
        AssertError("workers: 1\nservers:\n\t- listen: 127.0.0.1:1\n", 3, "servers", "a tab in indentation");
    }

    [Fact]
    public void TabInNestedIndentationIsASyntaxError()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("servers:\n  - listen: 127.0.0.1:1\n  \t max_body_bytes: 2\n"));
        Assert.Equal(3, e.Line);
        Assert.Contains("YAML syntax error", e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{Source}:3: servers[0]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadIndentationIsASyntaxError()
    {
        AssertError("a_key: 1\nservers:\n  - listen: 127.0.0.1:1\n    max_body_bytes: 2\n   request_timeout_ms: 3\n", 5, "servers", "YAML syntax error");
    }

    [Theory]
    [InlineData("- a\n- b\n", "got a sequence")]
    [InlineData("just a string\n", "got a string")]
    public void RootMustBeAMapping(string yaml, string reason)
    {
        AssertError(yaml, 1, null, $"the top level must be a mapping of settings, {reason}");
    }

    [Fact]
    public void MoreThanOneDocument()
    {
        AssertError("workers: 1\n---\nworkers: 2\n", 2, null, "only one YAML document is allowed");
    }

    [Fact]
    public void MergeKeysAreRejected()
    {
        AssertError("""
            servers:
              - &base
                listen: 127.0.0.1:1
              - <<: *base
                listen: 127.0.0.1:2
            """, 4, "servers[1][\"<<\"]", "merge keys (<<) are not supported");
    }

    [Fact]
    public void NonScalarKey()
    {
        AssertError("workers: 1\n? [a, b]\n: 1\n", 2, null, "a key must be a plain string, not a sequence");
    }

    [Fact]
    public void UnsetVariableWithoutDefault()
    {
        var e = AssertError("""
            clients:
              users:
                base_url: "${USERS_API}"
            """, 3, "clients.users.base_url", "environment variable USERS_API is not set");
        Assert.Contains("${USERS_API:-default}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnsetVariableInListen()
    {
        AssertError("servers:\n  - listen: \"127.0.0.1:${PORT}\"\n", 2, "servers[0].listen", "environment variable PORT is not set");
    }

    [Fact]
    public void UnsetVariableInSequenceItem()
    {
        AssertError("servers:\n  - listen: 127.0.0.1:0\n    trusted_proxies:\n      - 10.0.0.0/8\n      - ${LB_IP}\n",
            5, "servers[0].trusted_proxies[1]", "environment variable LB_IP is not set");
    }

    [Theory]
    [InlineData("python: \"${}\"\n", "bad variable reference '${}'")]
    [InlineData("python: \"${1X}\"\n", "bad variable reference '${1X}'")]
    [InlineData("python: \"${A B}\"\n", "bad variable reference")]
    [InlineData("python: \"${X\"\n", "unterminated '${'")]
    public void MalformedVariableReference(string yaml, string reason)
    {
        AssertError(yaml, 1, "python", reason);
    }

    [Fact]
    public void ValueFromEnvThatIsNotANumberNamesBoth()
    {
        AssertError("workers: ${W}\n", 1, "workers", "expected an integer, got 'many' (from '${W}')",
            new Dictionary<string, string> { ["W"] = "many" });
    }

    [Fact]
    public void EmptyVariableWithoutDefaultStaysEmptyAndRequiredValueFails()
    {
        AssertError("servers:\n  - listen: ${L}\n", 2, "servers[0].listen", "must not be empty",
            new Dictionary<string, string> { ["L"] = "" });
    }

    [Fact]
    public void UnknownAlias()
    {
        var e = Assert.Throws<ConfigException>(() => Parse("workers: *nope\n"));
        Assert.Equal(1, e.Line);
        Assert.Equal("workers", e.Key);
    }
}
