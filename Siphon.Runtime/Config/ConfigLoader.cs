// The section readers of http.yaml: one method per section, each naming its keys and their rules
// (over 400 lines, kept whole: it reads top to bottom like docs/configuration.md).
// The strict value rules they share (CheckKeys, the Optional*/Required* readers, ${VAR} expansion,
// Error with file:line and a "did you mean" suggestion) are in ConfigLoader.Values.cs.
using System.Collections.ObjectModel;
using System.Globalization;

namespace Siphon.Runtime.Config;

/// <summary>
/// Loads <c>http.yaml</c> into a <see cref="SiphonConfig"/>, strictly: every problem is a
/// <see cref="ConfigException"/> naming the file, the line and the key, and the server does not start.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>An empty file (or one holding only comments, or <c>---</c>) gives <see cref="SiphonConfig.Default"/>'s values.</item>
/// <item>A missing, null or empty <c>servers</c> list means one plain listener on <c>127.0.0.1:8080</c>.</item>
/// <item>Every string value (not keys) goes through <c>${VAR}</c> / <c>${VAR:-default}</c> expansion before it is
/// converted, so numbers and booleans can come from the environment too; <c>$$</c> is a literal <c>$</c>
/// (see <see cref="EnvExpander"/>).</item>
/// <item>An optional value that is null (<c>~</c>, <c>null</c>, nothing) or expands to an empty string counts as not set
/// and takes its default; a required one (<c>listen</c>, <c>tls.cert_path</c>, <c>tls.key_path</c>) is an error.
/// <c>tls:</c> with no value is an error rather than silently cleartext.</item>
/// <item>Booleans are exactly <c>true</c> or <c>false</c>; integers are decimal.</item>
/// <item>Relative paths (<c>tls.*</c>, <c>verify</c>, <c>cert</c>, <c>key</c>, and a <c>python</c> path containing a directory
/// separator) are resolved against the config file's directory; a bare <c>python</c> name is looked up on PATH later.</item>
/// <item>Anchors and aliases work; merge keys (<c>&lt;&lt;</c>) and more than one document do not.</item>
/// </list>
/// </remarks>
public static partial class ConfigLoader
{
    internal static readonly string[] RootKeys = ["python", "workers", "worker_mode", "sync_threads", "sync_threads_max", "sync_queue_max",
        "handler_stall_abort_secs", "access_log", "log_format", "reload", "shutdown_grace_ms", "servers", "clients", "cache", "admin", "tracing", "extensions"];
    internal static readonly string[] ServerKeys = ["listen", "tls", "max_body_bytes", "request_timeout_ms", "trusted_proxies",
        "max_header_bytes", "header_timeout_ms", "keep_alive_timeout_ms", "max_connections", "websocket"];
    internal static readonly string[] TlsKeys = ["cert_path", "key_path", "client_ca"];
    internal static readonly string[] ClientKeys = ["base_url", "timeout_ms", "verify", "cert", "key", "pool_size", "http2_prior_knowledge"];
    internal static readonly string[] AdminKeys = ["listen", "stall_after_ms"];
    internal static readonly string[] CacheKeys = ["name", "url", "local_ttl_secs", "local_max_entries", "timeout_ms"];

    /// <summary>Reads and parses the file at <paramref name="path"/>.</summary>
    /// <param name="path">the config file; messages name it as given.</param>
    /// <param name="environment">variable lookup for <c>${VAR}</c>; default <see cref="Environment.GetEnvironmentVariable(string)"/>.</param>
    /// <exception cref="ConfigException">the file is missing or unreadable, or its content is invalid.</exception>
    public static SiphonConfig Load(string path, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ConfigException(path, null, null, $"config file not found (looked for {Path.GetFullPath(path)})", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ConfigException(path, null, null, $"cannot read config file: {e.Message}", e);
        }

        return Parse(text, path, environment);
    }

    /// <summary>Parses YAML text as if it were read from <paramref name="sourcePath"/> (used in messages and to resolve relative paths).</summary>
    /// <exception cref="ConfigException">the content is invalid.</exception>
    public static SiphonConfig Parse(string yamlText, string sourcePath, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(yamlText);
        ArgumentNullException.ThrowIfNull(sourcePath);
        var fullPath = Path.GetFullPath(sourcePath);
        var reader = new Reader(sourcePath, Path.GetDirectoryName(fullPath) ?? "", environment ?? Environment.GetEnvironmentVariable);
        var root = YamlTreeReader.Read(yamlText, sourcePath);
        return reader.ReadRoot(root) with { SourcePath = fullPath };
    }

    private sealed partial class Reader(string file, string baseDir, Func<string, string?> env)
    {
        public SiphonConfig ReadRoot(YNode? root)
        {
            if (root is null)
            {
                return new SiphonConfig();
            }

            if (root is not YMapping map)
            {
                throw Error(root, null, $"the top level must be a mapping of settings, got {root.KindName}");
            }

            var m = CheckKeys(map, null, RootKeys);
            var syncThreads = (int?)OptionalInteger(m, "sync_threads", 1, SiphonConfig.SyncThreadsLimit);
            var syncThreadsMax = (int?)OptionalInteger(m, "sync_threads_max", 1, SiphonConfig.SyncThreadsLimit);
            if (syncThreads is { } core && syncThreadsMax is { } ceiling && ceiling < core)
            {
                m.TryGet("sync_threads_max", out var maxNode, out var maxPath);
                throw Error(maxNode, maxPath, $"must be at least sync_threads ({core}), got {ceiling}");
            }

            var servers = ReadServers(m);
            return new SiphonConfig
            {
                SyncThreads = syncThreads,
                SyncThreadsMax = syncThreadsMax,
                SyncQueueMax = (int)(OptionalInteger(m, "sync_queue_max", 1, int.MaxValue) ?? SiphonConfig.DefaultSyncQueueMax),
                HandlerStallAbortSecs = (int)(OptionalInteger(m, "handler_stall_abort_secs", 0, 86_400) ?? SiphonConfig.DefaultHandlerStallAbortSecs),
                Python = ResolvePython(OptionalString(m, "python")),
                Workers = (int)(OptionalInteger(m, "workers", 1, int.MaxValue) ?? SiphonConfig.DefaultWorkers),
                WorkerMode = ReadWorkerMode(m),
                AccessLog = OptionalBool(m, "access_log") ?? false,
                Reload = OptionalBool(m, "reload") ?? false,
                ShutdownGraceMs = (int)(OptionalInteger(m, "shutdown_grace_ms", 0, int.MaxValue) ?? SiphonConfig.DefaultShutdownGraceMs),
                Servers = servers,
                Clients = ReadClients(m),
                Caches = ReadCaches(m),
                LogFormat = ReadLogFormat(m),
                Admin = ReadAdmin(m, servers),
                Tracing = ReadTracing(m),
                Extensions = OptionalList(m, "extensions", "paths of .NET assemblies (e.g. [\"ext/Acme.Pricing.dll\"])", "a path", ResolvePath),
            };
        }

        private LogFormat ReadLogFormat(Fields root)
        {
            if (!root.TryGet("log_format", out var node, out var path))
            {
                return LogFormat.Text;
            }

            return ScalarText(node, path) switch
            {
                null or "text" => LogFormat.Text,
                "json" => LogFormat.Json,
                var other => throw Error(node, path, $"expected 'text' or 'json', got {Quote(node, other)}"),
            };
        }

        // The admin listener serves /metrics, /livez and /readyz; it is off unless configured, and it
        // may not share a socket with a serving listener (metrics must never be public by accident).
        private AdminConfig? ReadAdmin(Fields root, IReadOnlyList<ServerConfig> servers)
        {
            if (!root.TryGet("admin", out var node, out var path) || IsNull(node))
            {
                return null;
            }

            if (node is not YMapping map)
            {
                throw Error(node, path, $"expected a mapping (listen: \"127.0.0.1:9090\"), got {node.KindName}");
            }

            var m = CheckKeys(map, path, AdminKeys);
            var listenText = RequiredString(m, "listen", out var listenNode, out var listenPath);
            ListenEndpoint listen;
            try
            {
                listen = ListenEndpoint.Parse(listenText);
            }
            catch (FormatException e)
            {
                throw Error(listenNode, listenPath, e.Message, e);
            }

            for (var i = 0; i < servers.Count; i++)
            {
                var s = servers[i].Listen;
                var clash = listen.Port != 0 && s.Port == listen.Port
                    && (s.Host == listen.Host || s.IsAnyHost || listen.IsAnyHost || s.Host is "0.0.0.0" or "::" || listen.Host is "0.0.0.0" or "::");
                if (clash)
                {
                    throw Error(listenNode, listenPath, $"{listen} is the port of servers[{i}] ({s}): the admin listener needs a port of its own");
                }
            }

            return new AdminConfig
            {
                Listen = listen,
                StallAfterMs = (int)(OptionalInteger(m, "stall_after_ms", 100, int.MaxValue) ?? AdminConfig.DefaultStallAfterMs),
            };
        }

        private WorkerMode ReadWorkerMode(Fields root)
        {
            if (!root.TryGet("worker_mode", out var node, out var path))
            {
                return WorkerMode.Processes;
            }

            var text = ScalarText(node, path);
            if (text is null)
            {
                return WorkerMode.Processes;
            }

            return WorkerModes.TryParse(text, out var mode)
                ? mode
                : throw Error(node, path, $"expected {WorkerModes.Expected}, got {Quote(node, text)}");
        }

        private IReadOnlyList<ServerConfig> ReadServers(Fields root)
        {
            if (!root.TryGet("servers", out var node, out var path) || IsNull(node))
            {
                return [ServerConfig.Default];
            }

            if (node is not YSequence seq)
            {
                throw Error(node, path, $"expected a sequence of servers (- listen: ...), got {node.KindName}");
            }

            if (seq.Items.Count == 0)
            {
                return [ServerConfig.Default];
            }

            var servers = new List<ServerConfig>();
            var seen = new Dictionary<ListenEndpoint, string>();
            for (var i = 0; i < seq.Items.Count; i++)
            {
                var itemPath = KeyPath.Index(path, i);
                var server = ReadServer(seq.Items[i], itemPath, out var listenNode);
                if (server.Listen.Port != 0)
                {
                    if (seen.TryGetValue(server.Listen, out var other))
                    {
                        throw Error(listenNode, KeyPath.Child(itemPath, "listen"), $"{server.Listen} is already used by {other}");
                    }

                    seen.Add(server.Listen, itemPath);
                }

                servers.Add(server);
            }

            return servers.AsReadOnly();
        }

        private ServerConfig ReadServer(YNode node, string path, out YNode listenNode)
        {
            if (node is not YMapping map)
            {
                throw Error(node, path, $"expected a mapping (listen: ..., max_body_bytes: ...), got {node.KindName}");
            }

            var m = CheckKeys(map, path, ServerKeys);
            var listenText = RequiredString(m, "listen", out listenNode, out var listenPath);
            ListenEndpoint listen;
            try
            {
                listen = ListenEndpoint.Parse(listenText);
            }
            catch (FormatException e)
            {
                throw Error(listenNode, listenPath, e.Message, e);
            }

            return new ServerConfig
            {
                Listen = listen,
                Tls = ReadTls(m),
                MaxBodyBytes = OptionalInteger(m, "max_body_bytes", 1, long.MaxValue) ?? ServerConfig.DefaultMaxBodyBytes,
                RequestTimeoutMs = (int)(OptionalInteger(m, "request_timeout_ms", 1, int.MaxValue) ?? ServerConfig.DefaultRequestTimeoutMs),
                TrustedProxies = ReadTrustedProxies(m),
                MaxHeaderBytes = (int)(OptionalInteger(m, "max_header_bytes", 1024, 16 * 1024 * 1024) ?? ServerConfig.DefaultMaxHeaderBytes),
                HeaderTimeoutMs = (int)(OptionalInteger(m, "header_timeout_ms", 1, int.MaxValue) ?? ServerConfig.DefaultHeaderTimeoutMs),
                KeepAliveTimeoutMs = (int)(OptionalInteger(m, "keep_alive_timeout_ms", 1, int.MaxValue) ?? ServerConfig.DefaultKeepAliveTimeoutMs),
                MaxConnections = OptionalInteger(m, "max_connections", 1, int.MaxValue),
                WebSocket = ReadWebSocket(m),
            };
        }

        private TlsConfig? ReadTls(Fields server)
        {
            if (!server.TryGet("tls", out var node, out var path))
            {
                return null;
            }

            if (node is not YMapping map)
            {
                throw Error(node, path, $"expected a mapping with cert_path and key_path (remove 'tls' for cleartext), got {node.KindName}");
            }

            var m = CheckKeys(map, path, TlsKeys);
            return new TlsConfig
            {
                CertPath = ResolvePath(RequiredString(m, "cert_path", out _, out _)),
                KeyPath = ResolvePath(RequiredString(m, "key_path", out _, out _)),
                ClientCa = ResolvePathOrNull(OptionalString(m, "client_ca")),
            };
        }

        private IReadOnlyList<IpRange> ReadTrustedProxies(Fields server) =>
            OptionalList(server, "trusted_proxies", "IPs or CIDR ranges (e.g. [\"10.0.0.0/8\", \"127.0.0.1\"])", "an IP or CIDR range", IpRange.Parse);

        private IReadOnlyDictionary<string, ClientConfig> ReadClients(Fields root)
        {
            if (!root.TryGet("clients", out var node, out var path) || IsNull(node))
            {
                return ReadOnlyDictionary<string, ClientConfig>.Empty;
            }

            if (node is not YMapping map)
            {
                throw Error(node, path, $"expected a mapping of client names to settings, got {node.KindName}");
            }

            var clients = new Dictionary<string, ClientConfig>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Entries)
            {
                var clientPath = KeyPath.Child(path, key.Value);
                if (key.Value.Length == 0)
                {
                    throw Error(key, clientPath, "a client name must not be empty");
                }

                clients.Add(key.Value, ReadClient(key.Value, value, clientPath));
            }

            return clients.AsReadOnly();
        }

        private ClientConfig ReadClient(string name, YNode node, string path)
        {
            if (node is not YMapping map)
            {
                throw Error(node, path, $"expected a mapping of client settings (base_url: ..., timeout_ms: ...), got {node.KindName}");
            }

            var m = CheckKeys(map, path, ClientKeys);
            Uri? url = null;
            // Optional (as in siphon-http): a client without base_url takes absolute URLs only.
            if (OptionalString(m, "base_url") is { } urlText)
            {
                m.TryGet("base_url", out var urlNode, out var urlPath);
                if (!Uri.TryCreate(urlText, UriKind.Absolute, out url)
                    || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)
                    || !urlText.Contains("://", StringComparison.Ordinal))
                {
                    throw Error(urlNode, urlPath, $"expected an absolute http:// or https:// URL, got '{urlText}'");
                }
            }

            var (certPath, keyPath) = ReadClientCert(m);
            return new ClientConfig
            {
                Name = name,
                BaseUrl = url,
                TimeoutMs = (int)(OptionalInteger(m, "timeout_ms", 1, int.MaxValue) ?? ClientConfig.DefaultTimeoutMs),
                Verify = ResolvePathOrNull(ReadVerify(m)),
                CertPath = certPath,
                KeyPath = keyPath,
                PoolSize = (int)(OptionalInteger(m, "pool_size", 1, int.MaxValue) ?? ClientConfig.DefaultPoolSize),
                Http2PriorKnowledge = OptionalBool(m, "http2_prior_knowledge") ?? false,
            };
        }

        private string? ReadVerify(Fields client)
        {
            var value = OptionalString(client, "verify");
            if (value is "true" or "false")
            {
                client.TryGet("verify", out var node, out var path);
                throw Error(node, path, $"expected a CA bundle path, got '{value}' (leave verify out to use the system trust store; turning verification off is not supported)");
            }

            return value;
        }

        private (string? Cert, string? Key) ReadClientCert(Fields client)
        {
            var hasCert = client.TryGet("cert", out var node, out var path) && !IsNull(node);
            var hasKey = client.TryGet("key", out var keyNode, out var keyPath) && !IsNull(keyNode);
            if (hasKey)
            {
                // siphon-http's spelling: cert and key as two keys, each one path.
                if (!hasCert)
                {
                    throw Error(keyNode, keyPath, "key needs cert beside it (the client certificate path)");
                }

                if (node is not YScalar)
                {
                    throw Error(node, path, $"with key set, cert must be one certificate path, got {node.KindName} (use either cert: [cert_path, key_path] or cert: + key:)");
                }

                var certText = ScalarText(node, path);
                var keyText = ScalarText(keyNode, keyPath);
                if (certText is null || keyText is null)
                {
                    throw certText is null
                        ? Error(node, path, "expected the certificate path, got an empty value")
                        : Error(keyNode, keyPath, "expected the key path, got an empty value");
                }

                return (ResolvePath(certText), ResolvePath(keyText));
            }

            if (!hasCert)
            {
                return (null, null);
            }

            const string expected = "a combined PEM path, [cert_path, key_path], or a certificate path with key: beside it";
            if (node is YScalar)
            {
                return (ResolvePathOrNull(ScalarText(node, path)), null);
            }

            if (node is not YSequence { Items.Count: 2 } seq)
            {
                var got = node is YSequence s ? $"a sequence of {s.Items.Count} item(s)" : node.KindName;
                throw Error(node, path, $"expected {expected}, got {got}");
            }

            var cert = ScalarText(seq.Items[0], KeyPath.Index(path, 0));
            var key = ScalarText(seq.Items[1], KeyPath.Index(path, 1));
            if (cert is null || key is null)
            {
                var bad = cert is null ? 0 : 1;
                throw Error(seq.Items[bad], KeyPath.Index(path, bad), $"expected {(bad == 0 ? "the certificate" : "the key")} path, got an empty value");
            }

            return (ResolvePath(cert), ResolvePath(key));
        }

        private IReadOnlyList<CacheConfig> ReadCaches(Fields root)
        {
            if (!root.TryGet("cache", out var node, out var path) || IsNull(node))
            {
                return [];
            }

            if (node is not YSequence seq)
            {
                throw Error(node, path, $"expected a sequence of caches (- name: ...), got {node.KindName}");
            }

            var caches = new List<CacheConfig>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < seq.Items.Count; i++)
            {
                var itemPath = KeyPath.Index(path, i);
                if (seq.Items[i] is not YMapping map)
                {
                    throw Error(seq.Items[i], itemPath, $"expected a mapping with name (and url for Redis), got {seq.Items[i].KindName}");
                }

                var m = CheckKeys(map, itemPath, CacheKeys);
                var name = RequiredString(m, "name", out var nameNode, out var namePath);
                if (seen.TryGetValue(name, out var firstLine))
                {
                    throw Error(nameNode, namePath, $"duplicate cache name '{name}' (first defined on line {firstLine})");
                }

                seen[name] = nameNode.Line;
                var url = OptionalString(m, "url");
                RedisEndpoint? redis = null;
                if (url is not null)
                {
                    m.TryGet("url", out var urlNode, out var urlPath);
                    if (!RedisEndpoint.TryParse(url, out redis, out var why))
                    {
                        throw Error(urlNode, urlPath, $"expected redis://[:password@]host:port[/db] (or rediss:// for TLS), got '{RedisEndpoint.Redact(url)}': {why}");
                    }
                }

                caches.Add(new CacheConfig
                {
                    Name = name,
                    Redis = redis,
                    LocalTtlSecs = (int?)OptionalInteger(m, "local_ttl_secs", 1, int.MaxValue),
                    LocalMaxEntries = (int)(OptionalInteger(m, "local_max_entries", 1, int.MaxValue) ?? CacheConfig.DefaultLocalMaxEntries),
                    TimeoutMs = (int)(OptionalInteger(m, "timeout_ms", 1, int.MaxValue) ?? CacheConfig.DefaultTimeoutMs),
                });
            }

            return caches.AsReadOnly();
        }
    }
}
