using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Siphon.Tests.Shared;

/// <summary>Real certificates made for one test and written as PEM files into its folder:
/// a CA; a server certificate for 127.0.0.1 / ::1 / localhost signed by it (server.crt holds the
/// leaf then the CA, server.key its key); a client certificate from the same CA (CN=test-client)
/// and one from another CA (CN=rogue-client). Everything is ECDSA P-256, so making them is quick.</summary>
public sealed class TestCertificates
{
    private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

    public required X509Certificate2 Ca { get; init; }
    public required X509Certificate2 OtherCa { get; init; }
    /// <summary>From <see cref="Ca"/>, with its private key.</summary>
    public required X509Certificate2 Client { get; init; }
    /// <summary>From <see cref="OtherCa"/>, with its private key.</summary>
    public required X509Certificate2 RogueClient { get; init; }

    public required string CaPath { get; init; }
    public required string OtherCaPath { get; init; }
    public required string ServerCertPath { get; init; }
    public required string ServerKeyPath { get; init; }
    public required string ClientCertPath { get; init; }
    public required string ClientKeyPath { get; init; }
    /// <summary>The client certificate and its key in one PEM file.</summary>
    public required string ClientCombinedPath { get; init; }
    /// <summary>The server certificate with its key, for an in-process upstream.</summary>
    public required X509Certificate2 ServerCertificate { get; init; }
    public const string ClientSubject = "CN=test-client";

    public static TestCertificates Create(string dir)
    {
        var now = DateTimeOffset.UtcNow;
        var (ca, caKey) = MakeCa("CN=Siphon Test CA", now);
        var (otherCa, otherCaKey) = MakeCa("CN=Siphon Other CA", now);

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        var (server, serverKey) = MakeLeaf("CN=localhost", ServerAuth, ca, caKey, now, san);
        var (client, clientKey) = MakeLeaf(ClientSubject, ClientAuth, ca, caKey, now);
        var (rogue, rogueKey) = MakeLeaf("CN=rogue-client", ClientAuth, otherCa, otherCaKey, now);

        string Write(string name, string pem)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllText(path, pem);
            return path;
        }
        var certs = new TestCertificates
        {
            Ca = ca,
            OtherCa = otherCa,
            Client = WithKey(client, clientKey),
            RogueClient = WithKey(rogue, rogueKey),
            CaPath = Write("ca.crt", ca.ExportCertificatePem() + "\n"),
            OtherCaPath = Write("other-ca.crt", otherCa.ExportCertificatePem() + "\n"),
            ServerCertPath = Write("server.crt", server.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n"),
            ServerKeyPath = Write("server.key", serverKey.ExportPkcs8PrivateKeyPem() + "\n"),
            ClientCertPath = Write("client.crt", client.ExportCertificatePem() + "\n" + ca.ExportCertificatePem() + "\n"),
            ClientKeyPath = Write("client.key", clientKey.ExportPkcs8PrivateKeyPem() + "\n"),
            ClientCombinedPath = Write("client.pem", client.ExportCertificatePem() + "\n" + clientKey.ExportPkcs8PrivateKeyPem() + "\n"),
            ServerCertificate = WithKey(server, serverKey),
        };
        Write("rogue.crt", rogue.ExportCertificatePem() + "\n" + otherCa.ExportCertificatePem() + "\n");
        Write("rogue.key", rogueKey.ExportPkcs8PrivateKeyPem() + "\n");
        caKey.Dispose();
        otherCaKey.Dispose();
        serverKey.Dispose();
        return certs;
    }

    /// <summary>Whether <paramref name="cert"/> chains to <see cref="Ca"/> (for an upstream checking client certificates).</summary>
    public bool IssuedHere(X509Certificate2 cert)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(cert);
    }

    /// <summary>Accepts the server only if its certificate chains to <see cref="Ca"/> (not the system
    /// store) for server auth and names the host asked for.</summary>
    public bool ValidateServer(object sender, X509Certificate? certificate, X509Chain? _, SslPolicyErrors errors) =>
        ValidateAgainst(Ca, certificate, errors);

    /// <summary>The same check against <see cref="OtherCa"/>: must refuse our server.</summary>
    public bool ValidateServerAgainstOtherCa(object sender, X509Certificate? certificate, X509Chain? _, SslPolicyErrors errors) =>
        ValidateAgainst(OtherCa, certificate, errors);

    private static bool ValidateAgainst(X509Certificate2 root, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (certificate is null) return false;
        if ((errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None) return false; // name mismatch, none sent
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ServerAuth));
        return chain.Build(leaf);
    }

    private static (X509Certificate2, ECDsa) MakeCa(string subject, DateTimeOffset now)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        return (req.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1)), key);
    }

    private static (X509Certificate2, ECDsa) MakeLeaf(string subject, string usage, X509Certificate2 issuer, ECDsa issuerKey,
        DateTimeOffset now, SubjectAlternativeNameBuilder? san = null)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(issuer, true, false));
        if (san is not null) req.CertificateExtensions.Add(san.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var generator = X509SignatureGenerator.CreateForECDsa(issuerKey);
        var cert = req.Create(issuer.SubjectName, generator, now.AddMinutes(-5), now.AddDays(1), serial);
        return (cert, key);
    }

    /// <summary>The certificate with its key, re-imported so SslStream can use the key on every platform.</summary>
    private static X509Certificate2 WithKey(X509Certificate2 cert, ECDsa key)
    {
        using var withKey = cert.CopyWithPrivateKey(key);
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }
}
