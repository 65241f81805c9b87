using Siphon.Runtime.Config;
using Siphon.Runtime.Hosting.Transport;

namespace Siphon.Runtime.Unit.Tests.Transport;

/// <summary>Every kind of bad TLS file is refused with a message that names the file at fault first
/// (and the config key, where the file is missing) and says what is wrong: the text `siphon run`
/// prints after "siphon: error:" before exiting with 2 (the end-to-end cases are TransportTests').</summary>
public class TlsSetupTests
{
    public static TheoryData<string> Problems => new(BadTlsFiles.Problems);

    [Theory]
    [MemberData(nameof(Problems))]
    public void A_bad_tls_file_is_named_with_what_is_wrong(string problem)
    {
        var dir = Directory.CreateTempSubdirectory("siphon-tls-");
        try
        {
            var bad = BadTlsFiles.Make(problem, dir.FullName, TestCertificates.Create(dir.FullName));
            var yaml = BadTlsFiles.Yaml(bad, 8443);
            var config = ConfigLoader.Parse(yaml, Path.Combine(dir.FullName, "http.yaml"));
            var error = Assert.Throws<TlsConfigException>(() => TlsSetup.Load(config.Servers[0].Tls!, "servers[0]")).Message;
            Assert.StartsWith($"{bad.Named[0]}: ", error); // the file at fault comes first
            foreach (var n in bad.Named) Assert.Contains(n, error);
            Assert.Contains(bad.Because, error);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
