namespace Siphon.Runtime.Config;

/// <summary>
/// A problem with <c>http.yaml</c>: a missing file, a YAML syntax error, an unknown key,
/// a wrong type or an out-of-range value. The message names the file, the line and the key,
/// e.g. <c>http.yaml:7: servers[0].max_bodybytes: unknown key (expected one of: ...)</c>.
/// </summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string file, int? line, string? key, string reason, Exception? innerException = null)
        : base(Format(file, line, key, reason), innerException)
    {
        File = file;
        Line = line;
        Key = key;
        Reason = reason;
    }

    /// <summary>The config file as it was named to the loader.</summary>
    public string File { get; }

    /// <summary>1-based line of the offending node; null when the problem has no line (e.g. file not found).</summary>
    public int? Line { get; }

    /// <summary>Dotted key path such as <c>servers[0].max_body_bytes</c> or <c>clients.api.base_url</c>; null for the document root.</summary>
    public string? Key { get; }

    /// <summary>The bare reason, without file, line and key.</summary>
    public string Reason { get; }

    private static string Format(string file, int? line, string? key, string reason)
    {
        var where = line is { } l ? $"{file}:{l}" : file;
        return string.IsNullOrEmpty(key) ? $"{where}: {reason}" : $"{where}: {key}: {reason}";
    }
}
