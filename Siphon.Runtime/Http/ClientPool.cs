// The outbound side: one pooled SocketsHttpHandler per named client (from http.yaml's `clients:`)
// for the life of the process, and the handler settings both named and inline clients share:
// `verify` as the only trust anchor, a client identity for mutual TLS, `pool_size` as the
// connection cap per upstream, h2 by ALPN on TLS and prior-knowledge h2c when asked. A live reload
// (Reconfigure) keeps the pool of every client whose settings did not change.
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Http;

public sealed record ClientOptions(Uri? BaseUrl, TimeSpan Timeout, string? Verify, string? CertPath, string? KeyPath,
    int PoolSize, bool Http2PriorKnowledge);

public static class ClientPool
{
    private static Dictionary<string, (ClientOptions Options, HttpMessageInvoker Invoker)> s_named = [];

    /// <summary>Creates the named clients. Called once at start-up, before the script loads.</summary>
    public static void Configure(IReadOnlyDictionary<string, ClientConfig> clients)
    {
        var named = new Dictionary<string, (ClientOptions, HttpMessageInvoker)>(StringComparer.Ordinal);
        foreach (var (name, c) in clients)
        {
            var options = new ClientOptions(c.BaseUrl, TimeSpan.FromMilliseconds(c.TimeoutMs), c.Verify, c.CertPath, c.KeyPath, c.PoolSize, c.Http2PriorKnowledge);
            named[name] = (options, new HttpMessageInvoker(CreateHandler(options, $"clients.{name}"), disposeHandler: true));
        }
        s_named = named;
    }

    /// <summary>A live reload's clients: an unchanged client keeps its pool, a changed or new one gets a
    /// new pool. Throws ArgumentException (nothing changed) for a bad certificate file. Undo puts the
    /// previous table back (the reload failed); Release disposes the pools no longer used (once the
    /// old version has drained).</summary>
    public static ConfigSwap Reconfigure(IReadOnlyDictionary<string, ClientConfig> clients)
    {
        var old = s_named;
        var named = new Dictionary<string, (ClientOptions Options, HttpMessageInvoker Invoker)>(StringComparer.Ordinal);
        var created = new List<HttpMessageInvoker>();
        try
        {
            foreach (var (name, c) in clients)
            {
                var options = new ClientOptions(c.BaseUrl, TimeSpan.FromMilliseconds(c.TimeoutMs), c.Verify, c.CertPath, c.KeyPath, c.PoolSize, c.Http2PriorKnowledge);
                if (old.TryGetValue(name, out var kept) && kept.Options == options) named[name] = kept;
                else
                {
                    var invoker = new HttpMessageInvoker(CreateHandler(options, $"clients.{name}"), disposeHandler: true);
                    created.Add(invoker);
                    named[name] = (options, invoker);
                }
            }
        }
        catch
        {
            foreach (var i in created) i.Dispose();
            throw;
        }
        s_named = named;
        var replaced = old.Values.Select(v => v.Invoker).Where(i => !named.Values.Any(n => n.Invoker == i)).ToList();
        return new ConfigSwap(
            undo: () => { s_named = old; foreach (var i in created) i.Dispose(); },
            release: () => { foreach (var i in replaced) i.Dispose(); });
    }

    public static IReadOnlyCollection<string> Names => s_named.Keys;

    public static (ClientOptions Options, HttpMessageInvoker Invoker) Named(string name) =>
        s_named.TryGetValue(name, out var c) ? c
            : throw new UnknownClientException(s_named.Count == 0
                ? $"unknown client '{name}': http.yaml configures no clients"
                : $"unknown client '{name}'; configured clients: {string.Join(", ", s_named.Keys.Order(StringComparer.Ordinal))}");

    public static SocketsHttpHandler CreateHandler(ClientOptions o, string where)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = o.PoolSize,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60),
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            EnableMultipleHttp2Connections = true,
        };
        if (o.Verify is { } ca)
        {
            var roots = LoadCertificates(ca, $"{where}.verify");
            handler.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                cert is X509Certificate2 c2 && ChainsTo(c2, roots) && (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
        }
        if (o.CertPath is { } certPath)
            handler.SslOptions.ClientCertificates = [LoadIdentity(certPath, o.KeyPath, $"{where}.cert")];
        return handler;
    }

    private static bool ChainsTo(X509Certificate2 cert, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(cert);
    }

    private static X509Certificate2Collection LoadCertificates(string path, string key)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{key}: {path}: no such file");
        var roots = new X509Certificate2Collection();
        try { roots.ImportFromPemFile(path); }
        catch (CryptographicException e) { throw new ArgumentException($"{key}: {path}: not a readable PEM file: {e.Message}"); }
        if (roots.Count == 0) throw new ArgumentException($"{key}: {path}: holds no certificate");
        return roots;
    }

    private static X509Certificate2 LoadIdentity(string certPath, string? keyPath, string key)
    {
        if (!File.Exists(certPath)) throw new ArgumentException($"{key}: {certPath}: no such file");
        if (keyPath is not null && !File.Exists(keyPath)) throw new ArgumentException($"{key}: {keyPath}: no such file");
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            // Re-import: SslStream on Linux cannot present an ephemeral key as a client identity.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"{key}: {certPath}{(keyPath is null ? "" : $" / {keyPath}")}: cannot load the certificate and key: {e.Message}");
        }
    }
}
