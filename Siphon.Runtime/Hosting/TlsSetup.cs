// TLS for a listener from PEM files: the server certificate (with its chain) and key, and for
// mutual TLS a CA that alone decides which client certificates are accepted. Every problem is
// reported naming the file, before anything binds.
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Siphon.Runtime.Config;

namespace Siphon.Runtime.Hosting;

public sealed class TlsConfigException(string message) : Exception(message);

internal sealed class TlsSetup
{
    public required X509Certificate2 Certificate { get; init; }
    public X509Certificate2Collection? Chain { get; init; }
    public X509Certificate2Collection? ClientCa { get; init; }

    public static TlsSetup Load(TlsConfig tls, string where)
    {
        RequireFile(tls.CertPath, $"{where}.tls.cert_path");
        RequireFile(tls.KeyPath, $"{where}.tls.key_path");
        X509Certificate2 cert;
        try
        {
            using var pem = X509Certificate2.CreateFromPemFile(tls.CertPath, tls.KeyPath);
            // Re-import so the private key is usable by SslStream on Linux (ephemeral keys are not).
            cert = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        catch (CryptographicException e)
        {
            throw new TlsConfigException(Describe(tls, e));
        }
        catch (ArgumentException e)
        {
            throw new TlsConfigException($"{tls.CertPath} / {tls.KeyPath}: {e.Message}");
        }
        var all = new X509Certificate2Collection();
        try { all.ImportFromPemFile(tls.CertPath); }
        catch (CryptographicException e) { throw new TlsConfigException($"{tls.CertPath}: not a readable PEM certificate file: {e.Message}"); }
        var chain = new X509Certificate2Collection();
        foreach (var c in all)
            if (c.Thumbprint != cert.Thumbprint) chain.Add(c);

        X509Certificate2Collection? clientCa = null;
        if (tls.ClientCa is { } ca)
        {
            RequireFile(ca, $"{where}.tls.client_ca");
            clientCa = new X509Certificate2Collection();
            try { clientCa.ImportFromPemFile(ca); }
            catch (CryptographicException e) { throw new TlsConfigException($"{ca}: not a readable PEM certificate file: {e.Message}"); }
            if (clientCa.Count == 0) throw new TlsConfigException($"{ca}: holds no certificate");
        }
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

    private static string Describe(TlsConfig tls, CryptographicException e)
    {
        var keyText = File.ReadAllText(tls.KeyPath);
        if (!keyText.Contains("PRIVATE KEY", StringComparison.Ordinal))
            return $"{tls.KeyPath}: no PEM private key found";
        var certText = File.ReadAllText(tls.CertPath);
        if (!certText.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
            return $"{tls.CertPath}: no PEM certificate found";
        return $"{tls.KeyPath}: the key does not match the certificate in {tls.CertPath}, or cannot be read ({e.Message})";
    }
}
