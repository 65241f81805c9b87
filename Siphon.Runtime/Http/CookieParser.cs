// req.cookies: the Cookie header lines of a request as name -> value. Browsers send
// `a=1; b=2`; HTTP/2 may split that over several `cookie` lines, so each line is read on its own
// (joining them with ", " as req.headers does would glue two cookies into one value). The rule,
// shared with the SDK (siphon_sdk/_messages.py) and held to it by the property test: split on ';',
// split each piece at its first '=', trim spaces and tabs, drop a piece without '=' or with an
// empty name, strip one pair of surrounding double quotes from the value, first name wins (a
// browser sends the cookie of the most specific path first). No percent-decoding: the value is
// what the client sent.
namespace Siphon.Runtime.Http;

internal static class CookieParser
{
    private static readonly IReadOnlyDictionary<string, string> s_none = new Dictionary<string, string>();

    /// <param name="lines">A request's header lines, lower-case names.</param>
    public static IReadOnlyDictionary<string, string> Parse(KeyValuePair<string, string>[] lines)
    {
        Dictionary<string, string>? cookies = null;
        foreach (var (name, value) in lines)
            if (name == "cookie") ParseLine(value, cookies ??= []);
        return cookies ?? s_none;
    }

    public static void ParseLine(string line, Dictionary<string, string> into)
    {
        foreach (var piece in line.Split(';'))
        {
            var eq = piece.IndexOf('=');
            if (eq < 0) continue;
            var name = piece[..eq].Trim(' ', '\t');
            if (name.Length == 0) continue;
            var value = piece[(eq + 1)..].Trim(' ', '\t');
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"') value = value[1..^1];
            into.TryAdd(name, value);
        }
    }
}
