using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Certificates made in the test: a CA, a server certificate for 127.0.0.1/localhost and a
/// client certificate both issued by it, and an unrelated second CA. Everything is also written as
/// PEM into a temp folder, where the host reads it.</summary>
public sealed class TestPki : IDisposable
{
    private readonly TempDir _dir = new();

    private TestPki()
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Ca = MakeCa("CN=Siphon Test CA", caKey, now);
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var other = MakeCa("CN=Siphon Unrelated CA", otherKey, now);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        using var server = Issue("CN=127.0.0.1", serverKey, "1.3.6.1.5.5.7.3.1", san, now);
        ServerCertificate = Reimport(server);

        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var client = Issue(ClientSubject, clientKey, "1.3.6.1.5.5.7.3.2", null, now);

        CaPem = Write("ca.pem", Ca.ExportCertificatePem());
        OtherCaPem = Write("other-ca.pem", other.ExportCertificatePem());
        ServerCrt = Write("server.crt", server.ExportCertificatePem());
        ServerKey = Write("server.key", serverKey.ExportPkcs8PrivateKeyPem());
        ClientCrt = Write("client.crt", client.ExportCertificatePem());
        ClientKey = Write("client.key", clientKey.ExportPkcs8PrivateKeyPem());
        ClientCombined = Write("client.pem", client.ExportCertificatePem() + "\n" + clientKey.ExportPkcs8PrivateKeyPem());

        X509Certificate2 Issue(string subject, ECDsa key, string eku, SubjectAlternativeNameBuilder? names, DateTimeOffset at)
        {
            var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            req.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
            req.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
            req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
            req.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Ca, true, false));
            if (names is not null) req.CertificateExtensions.Add(names.Build());
            var serial = RandomNumberGenerator.GetBytes(12);
            serial[0] &= 0x7f;
            using var issued = req.Create(Ca, at.AddDays(-1), at.AddDays(30), serial);
            return issued.CopyWithPrivateKey(key);
        }
    }

    public const string ClientSubject = "CN=siphon-test-client";

    /// <summary>Makes a fresh set in its own temp folder.</summary>
    public static TestPki Create() => new();

    public string Dir => _dir.Path;

    /// <summary>The CA, with its key.</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>The server certificate with its key, ready for Kestrel.</summary>
    public X509Certificate2 ServerCertificate { get; }

    public string CaPem { get; }
    public string OtherCaPem { get; }
    public string ServerCrt { get; }
    public string ServerKey { get; }
    public string ClientCrt { get; }
    public string ClientKey { get; }

    /// <summary>The client certificate and its key in one PEM file.</summary>
    public string ClientCombined { get; }

    /// <summary>Whether <paramref name="cert"/> chains to this CA (for an upstream checking client certificates).</summary>
    public bool IssuedHere(X509Certificate2 cert)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(cert);
    }

    private static X509Certificate2 MakeCa(string subject, ECDsa key, DateTimeOffset now)
    {
        var req = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        req.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        req.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        req.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(req.PublicKey, false));
        return req.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
    }

    // An ephemeral key is not always usable by SslStream on Linux; a PKCS#12 round trip makes it a normal one.
    private static X509Certificate2 Reimport(X509Certificate2 cert) =>
        X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);

    private string Write(string name, string pem) => _dir.Write(name, pem);

    public void Dispose()
    {
        Ca.Dispose();
        ServerCertificate.Dispose();
        _dir.Dispose();
    }
}
