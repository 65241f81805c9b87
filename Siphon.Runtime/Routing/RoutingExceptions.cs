namespace Siphon.Runtime.Routing;

/// <summary>A path pattern that cannot be parsed.</summary>
public sealed class RoutePatternException : Exception
{
    public RoutePatternException(string pattern, string reason)
        : base($"bad route pattern \"{pattern}\": {reason}")
    {
        Pattern = pattern;
        Reason = reason;
    }

    /// <summary>The pattern as written.</summary>
    public string Pattern { get; }

    /// <summary>Why it was rejected, e.g. <c>unclosed '{'</c>.</summary>
    public string Reason { get; }
}

/// <summary>
/// A route set that cannot be turned into a table: a bad pattern, bad methods, or two routes
/// claiming the same method and path shape. The message starts with <c>file:line: </c>.
/// </summary>
public sealed class RouteTableException : Exception
{
    public RouteTableException(RouteDefinition route, string message, Exception? inner = null)
        : base(message, inner)
    {
        Route = route;
    }

    /// <summary>The offending route (for a conflict: the one declared later).</summary>
    public RouteDefinition Route { get; }

    /// <summary>Script file of <see cref="Route"/>.</summary>
    public string ScriptFile => Route.ScriptFile;

    /// <summary>Script line of <see cref="Route"/>.</summary>
    public int ScriptLine => Route.ScriptLine;
}
