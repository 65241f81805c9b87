using System.Text.Json;
using Siphon.Runtime.Config;
using Siphon.Runtime.Hosting.Transport;

namespace Siphon.Runtime.Unit.Tests.Transport;

/// <summary>Every kind of bad TLS file is refused with a message that names the file at fault first
/// (and the config key, where the file is missing) and says what is wrong: the text `siphon run`
/// prints after "siphon: error:" before exiting with 2 (the end-to-end case is TransportTests').</summary>
public class TlsSetupTests
{
    [Theory]
    [InlineData("missing-cert")]
    [InlineData("missing-key")]
    [InlineData("key-not-matching")]
    [InlineData("garbage-cert")]
    [InlineData("garbage-key")]
    [InlineData("certificate-as-key")]
    [InlineData("corrupt-cert-pem")]
    [InlineData("missing-client-ca")]
    [InlineData("garbage-client-ca")]
    public void A_bad_tls_file_is_named_with_what_is_wrong(string problem)
    {
        var dir = Directory.CreateTempSubdirectory("siphon-tls-");
        try
        {
            string Write(string name, string text)
            {
                var path = Path.Combine(dir.FullName, name);
                File.WriteAllText(path, text);
                return path;
            }
            var certs = TestCertificates.Create(dir.FullName);
            string cert = certs.ServerCertPath, key = certs.ServerKeyPath, clientCa = certs.CaPath;
            string[] named;
            string because;
            switch (problem)
            {
                case "missing-cert":
                    cert = Path.Combine(dir.FullName, "nope.crt");
                    (named, because) = ([cert, "servers[0].tls.cert_path"], "no such file");
                    break;
                case "missing-key":
                    key = Path.Combine(dir.FullName, "nope.key");
                    (named, because) = ([key, "servers[0].tls.key_path"], "no such file");
                    break;
                case "key-not-matching":
                    key = certs.ClientKeyPath;
                    (named, because) = ([key, cert], "does not match");
                    break;
                case "garbage-cert":
                    cert = Write("garbage.crt", "this is not a certificate\n");
                    (named, because) = ([cert], "no PEM certificate");
                    break;
                case "certificate-as-key":
                    key = certs.ServerCertPath;
                    (named, because) = ([key], "no PEM private key");
                    break;
                case "garbage-key":
                    key = Write("garbage.key", "this is not a key\n");
                    (named, because) = ([key], "no PEM private key");
                    break;
                case "corrupt-cert-pem":
                    var pem = File.ReadAllText(certs.ServerCertPath);
                    cert = Write("corrupt.crt", pem[..(pem.IndexOf('\n') + 1)] + "!!!! not base64 !!!!\n" + pem[(pem.IndexOf('\n') + 1)..]);
                    (named, because) = ([cert], "1 of 2 PEM certificate blocks are malformed");
                    break;
                case "missing-client-ca":
                    clientCa = Path.Combine(dir.FullName, "nope-ca.crt");
                    (named, because) = ([clientCa, "servers[0].tls.client_ca"], "no such file");
                    break;
                case "garbage-client-ca":
                    clientCa = Write("garbage-ca.crt", "not a CA either\n");
                    (named, because) = ([clientCa], "no PEM certificate found");
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(problem));
            }
            var yaml = $"""
                servers:
                  - listen: "127.0.0.1:8443"
                    tls:
                      cert_path: {JsonSerializer.Serialize(cert)}
                      key_path: {JsonSerializer.Serialize(key)}
                      client_ca: {JsonSerializer.Serialize(clientCa)}
                """;
            var config = ConfigLoader.Parse(yaml, Write("http.yaml", yaml));
            var error = Assert.Throws<TlsConfigException>(() => TlsSetup.Load(config.Servers[0].Tls!, "servers[0]")).Message;
            Assert.StartsWith($"{named[0]}: ", error); // the file at fault comes first
            foreach (var n in named) Assert.Contains(n, error);
            Assert.Contains(because, error);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
