// TLS for a listener from PEM files: the server certificate (with its chain) and key, and for
// mutual TLS a CA that alone decides which client certificates are accepted. Every problem is
// reported naming the file, before anything binds.
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Hosting.Transport;

public sealed class TlsConfigException(string message) : Exception(message);

internal sealed class TlsSetup
{
    public required X509Certificate2 Certificate { get; init; }
    public X509Certificate2Collection? Chain { get; init; }
    public X509Certificate2Collection? ClientCa { get; init; }

    public static TlsSetup Load(TlsConfig tls, string where)
    {
        var certs = ReadCertificates(tls.CertPath, $"{where}.tls.cert_path");
        RequireFile(tls.KeyPath, $"{where}.tls.key_path");
        var keyText = ReadText(tls.KeyPath);
        if (!keyText.Contains("PRIVATE KEY", StringComparison.Ordinal))
            throw new TlsConfigException($"{tls.KeyPath}: no PEM private key found");
        X509Certificate2 cert;
        try
        {
            // The first certificate in the file is the server's; every block was checked above.
            using var pem = X509Certificate2.CreateFromPem(ReadText(tls.CertPath), keyText);
            // Re-import so the private key is usable by SslStream on Linux (ephemeral keys are not).
            cert = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (ArgumentException)
        {
            throw new TlsConfigException($"{tls.KeyPath}: the key does not match the certificate in {tls.CertPath}");
        }
        catch (CryptographicException e)
        {
            throw new TlsConfigException($"{tls.KeyPath}: not a readable private key for the certificate in {tls.CertPath} ({e.Message})");
        }
        var chain = new X509Certificate2Collection();
        foreach (var c in certs)
            if (c.Thumbprint != cert.Thumbprint) chain.Add(c);

        X509Certificate2Collection? clientCa = null;
        if (tls.ClientCa is { } ca)
            clientCa = [.. ReadCertificates(ca, $"{where}.tls.client_ca")];
        return new TlsSetup { Certificate = cert, Chain = chain.Count > 0 ? chain : null, ClientCa = clientCa };
    }

    public void Apply(HttpsConnectionAdapterOptions o)
    {
        o.ServerCertificate = Certificate;
        if (Chain is not null) o.ServerCertificateChain = Chain;
        if (ClientCa is null) return;
        o.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        o.CheckCertificateRevocation = false;
        o.ClientCertificateValidation = ValidateClient;
    }

    // A client certificate is good only if it chains to the configured CA (not the system store).
    private bool ValidateClient(X509Certificate2 cert, X509Chain? _, SslPolicyErrors __)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ClientCa!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // clientAuth
        return chain.Build(cert);
    }

    private static void RequireFile(string path, string key)
    {
        if (!File.Exists(path)) throw new TlsConfigException($"{path}: no such file ({key})");
    }

    private static string ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TlsConfigException($"{path}: cannot be read: {e.Message}");
        }
    }

    /// <summary>Every CERTIFICATE block of a PEM file, in order. A malformed block is an error rather
    /// than skipped (skipping a bad leaf would quietly serve the next certificate instead).</summary>
    private static List<X509Certificate2> ReadCertificates(string path, string key)
    {
        RequireFile(path, key);
        var text = ReadText(path);
        var blocks = CountOf(text, "-----BEGIN CERTIFICATE-----");
        var certs = new List<X509Certificate2>();
        var rest = text.AsSpan();
        while (PemEncoding.TryFind(rest, out var fields))
        {
            if (rest[fields.Label].SequenceEqual("CERTIFICATE"))
            {
                try { certs.Add(X509CertificateLoader.LoadCertificate(Convert.FromBase64String(rest[fields.Base64Data].ToString()))); }
                catch (CryptographicException e)
                {
                    throw new TlsConfigException($"{path}: certificate {certs.Count + 1} cannot be read: {e.Message}");
                }
            }
            rest = rest[fields.Location.End..];
        }
        if (blocks == 0 && certs.Count == 0) throw new TlsConfigException($"{path}: no PEM certificate found");
        if (certs.Count < blocks)
            throw new TlsConfigException($"{path}: {blocks - certs.Count} of {blocks} PEM certificate blocks are malformed");
        return certs;
    }

    private static int CountOf(string text, string marker)
    {
        var n = 0;
        for (var i = text.IndexOf(marker, StringComparison.Ordinal); i >= 0; i = text.IndexOf(marker, i + marker.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
