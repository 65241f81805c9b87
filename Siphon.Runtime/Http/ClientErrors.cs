// Outbound failures as C# exceptions that surface in Python as the classes siphon/http.py defines:
// ClientError and its subclasses for connect failures, timeouts, TLS failures and unknown client
// names. Messages name the URL (or the client) so a log line says which upstream failed.
using Siphon.Runtime.Python;

namespace Siphon.Runtime.Http;

public class ClientException(string message, Exception? inner = null) : Exception(message, inner), IPyRaisable
{
    public string PyModule => "siphon.http";
    public virtual string PyTypeName => "ClientError";
}

public sealed class ConnectException(string message, Exception? inner = null) : ClientException(message, inner)
{
    public override string PyTypeName => "ConnectError";
}

public sealed class ClientTimeoutException(string message) : ClientException(message)
{
    public override string PyTypeName => "ClientTimeoutError";
}

public sealed class TlsException(string message, Exception? inner = null) : ClientException(message, inner)
{
    public override string PyTypeName => "TlsError";
}

/// <summary>http.Client(name) for a name http.yaml's clients does not configure; in Python an
/// UnknownClientError, which is both a ClientError and a KeyError.</summary>
public sealed class UnknownClientException(string message) : ClientException(message)
{
    public override string PyTypeName => "UnknownClientError";
}
