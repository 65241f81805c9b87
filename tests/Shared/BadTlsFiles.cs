namespace Siphon.Tests.Shared;

/// <summary>The kinds of bad TLS file a listener's config can name, made in a test's folder: the
/// cert, key and client CA paths to configure, the names the error must contain (the file at fault
/// first) and the words that say what is wrong.</summary>
public static class BadTlsFiles
{
    public static readonly string[] Problems =
    [
        "missing-cert", "missing-key", "key-not-matching", "garbage-cert", "garbage-key",
        "certificate-as-key", "corrupt-cert-pem", "missing-client-ca", "garbage-client-ca",
    ];

    public sealed record Case(string Cert, string Key, string ClientCa, string[] Named, string Because);

    public static Case Make(string problem, string dir, TestCertificates certs)
    {
        string Write(string name, string text)
        {
            var path = Path.Combine(dir, name);
            File.WriteAllText(path, text);
            return path;
        }
        string cert = certs.ServerCertPath, key = certs.ServerKeyPath, clientCa = certs.CaPath;
        switch (problem)
        {
            case "missing-cert":
                cert = Path.Combine(dir, "nope.crt");
                return new(cert, key, clientCa, [cert, "servers[0].tls.cert_path"], "no such file");
            case "missing-key":
                key = Path.Combine(dir, "nope.key");
                return new(cert, key, clientCa, [key, "servers[0].tls.key_path"], "no such file");
            case "key-not-matching":
                key = certs.ClientKeyPath;
                return new(cert, key, clientCa, [key, cert], "does not match");
            case "garbage-cert":
                cert = Write("garbage.crt", "this is not a certificate\n");
                return new(cert, key, clientCa, [cert], "no PEM certificate");
            case "certificate-as-key":
                key = certs.ServerCertPath;
                return new(cert, key, clientCa, [key], "no PEM private key");
            case "garbage-key":
                key = Write("garbage.key", "this is not a key\n");
                return new(cert, key, clientCa, [key], "no PEM private key");
            case "corrupt-cert-pem":
                var pem = File.ReadAllText(certs.ServerCertPath);
                cert = Write("corrupt.crt", pem[..(pem.IndexOf('\n') + 1)] + "!!!! not base64 !!!!\n" + pem[(pem.IndexOf('\n') + 1)..]);
                return new(cert, key, clientCa, [cert], "1 of 2 PEM certificate blocks are malformed");
            case "missing-client-ca":
                clientCa = Path.Combine(dir, "nope-ca.crt");
                return new(cert, key, clientCa, [clientCa, "servers[0].tls.client_ca"], "no such file");
            case "garbage-client-ca":
                clientCa = Write("garbage-ca.crt", "not a CA either\n");
                return new(cert, key, clientCa, [clientCa], "no PEM certificate found");
            default:
                throw new ArgumentOutOfRangeException(nameof(problem));
        }
    }

    /// <summary>The servers: entry that names the case's files.</summary>
    public static string Yaml(Case c, int port) => $"""
        servers:
          - listen: "127.0.0.1:{port}"
            tls:
              cert_path: {System.Text.Json.JsonSerializer.Serialize(c.Cert)}
              key_path: {System.Text.Json.JsonSerializer.Serialize(c.Key)}
              client_ca: {System.Text.Json.JsonSerializer.Serialize(c.ClientCa)}
        """;
}
