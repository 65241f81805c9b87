// A response's headers as the lines that are sent, in order: a name may repeat (two Set-Cookie
// lines). Scripts give them as a dict[str, str] or as a list of (name, value) pairs; `.headers`
// shows them as a dict[str, str] whose repeated names are joined with ", " under the first
// spelling (matched case-insensitively). Merge keeps the promise that no API path drops a repeated
// line silently: a dict built from `.headers` that carries a repeated name's joined value
// unchanged keeps that name's original lines.
using Siphon.Runtime.Python;

namespace Siphon.Runtime.Http;

internal static unsafe class HeaderLines
{
    public static readonly KeyValuePair<string, string>[] None = [];

    /// <summary>A C# dictionary's entries, validated.</summary>
    public static KeyValuePair<string, string>[] Of(IReadOnlyDictionary<string, string>? headers)
    {
        if (headers is null || headers.Count == 0) return None;
        var lines = new KeyValuePair<string, string>[headers.Count];
        var i = 0;
        foreach (var (name, value) in headers) lines[i++] = Checked(name, value);
        return lines;
    }

    /// <summary>A dict[str, str], or a list/tuple of (name, value) pairs (borrowed; None or null: no headers).</summary>
    public static KeyValuePair<string, string>[] FromPy(nint o, string argName = "headers")
    {
        if (o == 0 || PyConvert.IsNone(o)) return None;
        if (CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_DICT_SUBCLASS)) return Of(PyConvert.ToDictionary(o, argName));
        if (!CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_LIST_SUBCLASS) && !CApi.HasTypeFlag(o, CApi.Py_TPFLAGS_TUPLE_SUBCLASS))
            throw new InvalidCastException($"{argName} must be a dict[str, str] or a list of (name, value) pairs, got {PyConvert.TypeNameOf(o)}");
        var pairs = PyConvert.ToList(o, argName, static (item, name) =>
        {
            var pair = PyConvert.ToList(item, name, static (s, n) => PyConvert.ToString(s, n));
            if (pair.Count != 2) throw new InvalidCastException($"{name} must be a (name, value) pair, got {pair.Count} items");
            return Checked(pair[0], pair[1]);
        });
        return [.. pairs];
    }

    private static KeyValuePair<string, string> Checked(string name, string value)
    {
        if (name.Length == 0) throw new ArgumentException("header names must not be empty", "headers");
        if (name.AsSpan().IndexOfAny('\r', '\n') >= 0 || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            throw new ArgumentException($"header {name} must not contain CR or LF", "headers");
        return new(name, value);
    }

    /// <summary>The lines as `.headers` shows them: repeated names (case-insensitive) joined with ", "
    /// under their first spelling.</summary>
    public static Dictionary<string, string> Joined(KeyValuePair<string, string>[] lines)
    {
        var d = new Dictionary<string, string>(lines.Length, StringComparer.OrdinalIgnoreCase);
        var spelling = new Dictionary<string, string>(lines.Length, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in lines)
        {
            if (d.TryGetValue(name, out var seen)) d[name] = seen + ", " + value;
            else { d[name] = value; spelling[name] = name; }
        }
        if (lines.Length == d.Count) return new(d, StringComparer.Ordinal); // no repeats: names as given
        var result = new Dictionary<string, string>(d.Count, StringComparer.Ordinal);
        foreach (var (name, _) in lines)
            if (spelling.Remove(name, out var first)) result[first] = d[name];
        return result;
    }

    /// <summary>The lines to send for <paramref name="given"/> (what a script passed to replace()),
    /// against the response's <paramref name="original"/> lines: a dict entry whose value equals a
    /// repeated name's joined value keeps that name's original lines; anything else is taken as given.</summary>
    public static KeyValuePair<string, string>[] Merge(KeyValuePair<string, string>[] original, KeyValuePair<string, string>[] given, bool givenAsDict)
    {
        if (!givenAsDict || original.Length < 2) return given;
        var joined = Joined(original);
        if (joined.Count == original.Length) return given; // nothing repeated
        var result = new List<KeyValuePair<string, string>>(given.Length + original.Length - joined.Count);
        foreach (var line in given)
        {
            var repeated = joined.TryGetValue(line.Key, out var value) && value == line.Value
                && Count(original, line.Key) > 1;
            if (!repeated) { result.Add(line); continue; }
            foreach (var o in original)
                if (string.Equals(o.Key, line.Key, StringComparison.OrdinalIgnoreCase)) result.Add(o);
        }
        return [.. result];
    }

    private static int Count(KeyValuePair<string, string>[] lines, string name)
    {
        var n = 0;
        foreach (var (k, _) in lines) if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) n++;
        return n;
    }
}
