namespace Siphon.Runtime.Routing;

/// <summary>Kind of one pattern segment.</summary>
public enum RouteSegmentKind
{
    /// <summary>Fixed text; must equal the percent-decoded request segment (case-sensitive).</summary>
    Literal,

    /// <summary><c>{name}</c>: exactly one non-empty request segment.</summary>
    Parameter,

    /// <summary><c>{*name}</c>: the rest of the path, zero or more segments; last segment only.</summary>
    CatchAll,
}

/// <summary>One segment of a parsed pattern. <see cref="Value"/> is the literal text or the parameter name.</summary>
public readonly record struct RouteSegment(RouteSegmentKind Kind, string Value);

/// <summary>
/// A parsed path pattern.
/// </summary>
/// <remarks>
/// <para>Syntax: a pattern starts with <c>/</c> and is split on <c>/</c>. Each segment is either
/// literal text, <c>{name}</c>, or (last segment only) <c>{*name}</c>. Names are ASCII identifiers
/// (<c>[A-Za-z_][A-Za-z0-9_]*</c>) and unique within the pattern. A segment mixing text and a
/// parameter (<c>v{n}</c>, <c>{a}.{b}</c>) is not supported, nor are braces in literal text,
/// <c>?</c>/<c>#</c>, or empty segments (<c>//</c>) except a single trailing slash.</para>
/// <para>Literal text is percent-decoded the same way request segments are, so <c>/caf%C3%A9</c>
/// and <c>/café</c> are the same pattern.</para>
/// <para>Matching semantics (see <see cref="RouteTable"/>):</para>
/// <list type="bullet">
/// <item><c>/</c> is one empty literal segment; it matches only the path <c>/</c>.</item>
/// <item>A trailing slash is significant: <c>/items</c> and <c>/items/</c> are different patterns
/// and each matches only its own form; declare both if both are wanted.</item>
/// <item><c>{name}</c> never matches an empty segment: <c>/items/{id}</c> does not match <c>/items/</c>.</item>
/// <item><c>/files/{*rest}</c> matches <c>/files</c> (rest = ""), <c>/files/</c> (rest = ""),
/// <c>/files/a</c> (rest = "a") and <c>/files/a/b/</c> (rest = "a/b/").</item>
/// </list>
/// </remarks>
public sealed class RoutePattern
{
    private RoutePattern(string text, RouteSegment[] segments, int parameterCount)
    {
        Text = text;
        Segments = segments;
        ParameterCount = parameterCount;
    }

    /// <summary>The pattern as written.</summary>
    public string Text { get; }

    /// <summary>Segments in order; the root pattern <c>/</c> has one empty literal segment.</summary>
    public IReadOnlyList<RouteSegment> Segments { get; }

    /// <summary>Number of <c>{name}</c> and <c>{*name}</c> segments.</summary>
    public int ParameterCount { get; }

    /// <summary>Whether the last segment is a catch-all.</summary>
    public bool HasCatchAll => Segments.Count > 0 && Segments[^1].Kind == RouteSegmentKind.CatchAll;

    /// <summary>Parses <paramref name="pattern"/>.</summary>
    /// <exception cref="RoutePatternException">The pattern is invalid; <see cref="RoutePatternException.Reason"/> says why.</exception>
    public static RoutePattern Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (pattern.Length == 0 || pattern[0] != '/')
        {
            throw new RoutePatternException(pattern, "must start with '/'");
        }
        int bad = pattern.AsSpan().IndexOfAny('?', '#');
        if (bad >= 0)
        {
            throw new RoutePatternException(pattern,
                $"'{pattern[bad]}' is not allowed; a route pattern is a path only (no query string or fragment)");
        }

        string[] raw = pattern[1..].Split('/');
        var segments = new RouteSegment[raw.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < raw.Length; i++)
        {
            string seg = raw[i];
            bool last = i == raw.Length - 1;
            if (seg.Length == 0 && !last)
            {
                throw new RoutePatternException(pattern, "empty segment ('//')");
            }

            int open = seg.IndexOf('{');
            int close = seg.IndexOf('}');
            if (open < 0 && close < 0)
            {
                segments[i] = new RouteSegment(RouteSegmentKind.Literal, PercentDecoder.Decode(seg));
                continue;
            }
            if (open < 0 || (close >= 0 && close < open))
            {
                throw new RoutePatternException(pattern, $"unmatched '}}' in segment \"{seg}\"");
            }
            if (close < 0)
            {
                throw new RoutePatternException(pattern, $"unclosed '{{' in segment \"{seg}\"");
            }

            string inner = seg.Substring(open + 1, close - open - 1);
            if (inner.Contains('{'))
            {
                throw new RoutePatternException(pattern, $"nested '{{' in segment \"{seg}\"");
            }
            ReadOnlySpan<char> after = seg.AsSpan(close + 1);
            if (after.Contains('{'))
            {
                throw new RoutePatternException(pattern,
                    $"segment \"{seg}\" has more than one parameter, which is not supported; use one segment per parameter");
            }
            if (after.Contains('}'))
            {
                throw new RoutePatternException(pattern, $"unmatched '}}' in segment \"{seg}\"");
            }
            if (open != 0 || close != seg.Length - 1)
            {
                throw new RoutePatternException(pattern,
                    $"segment \"{seg}\" mixes literal text and a parameter, which is not supported; " +
                    "a parameter must be a whole segment, e.g. \"/{name}\"");
            }

            bool catchAll = inner.StartsWith('*');
            string name = catchAll ? inner[1..] : inner;
            if (name.Length == 0)
            {
                throw new RoutePatternException(pattern, catchAll
                    ? "catch-all '{*}' needs a name, e.g. '{*rest}'"
                    : "empty parameter name '{}'");
            }
            if (!IsIdentifier(name))
            {
                throw new RoutePatternException(pattern,
                    $"parameter name '{name}' is not an identifier (ASCII letters, digits and '_', not starting with a digit)");
            }
            if (!names.Add(name))
            {
                throw new RoutePatternException(pattern, $"duplicate parameter name '{name}'");
            }
            if (catchAll && !last)
            {
                throw new RoutePatternException(pattern, $"catch-all '{{*{name}}}' must be the last segment");
            }
            segments[i] = new RouteSegment(catchAll ? RouteSegmentKind.CatchAll : RouteSegmentKind.Parameter, name);
        }
        return new RoutePattern(pattern, segments, names.Count);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static bool IsIdentifier(string name)
    {
        if (char.IsAsciiDigit(name[0]))
        {
            return false;
        }
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }
        return true;
    }
}
