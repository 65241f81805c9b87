using System.Collections.ObjectModel;

namespace Siphon.Runtime.Routing;

/// <summary>Outcome of <see cref="RouteTable.Match"/>.</summary>
public enum RouteMatchKind
{
    /// <summary>No route matches the path: answer 404.</summary>
    NotFound,

    /// <summary>A route matches path and method: dispatch to <see cref="RouteMatch.HandlerId"/>.</summary>
    Found,

    /// <summary>Some route matches the path, none the method: answer 405 with <see cref="RouteMatch.Allow"/>.</summary>
    MethodNotAllowed,
}

/// <summary>Result of matching one request. <c>default</c> is a <see cref="RouteMatchKind.NotFound"/>.</summary>
public readonly struct RouteMatch
{
    internal static readonly IReadOnlyDictionary<string, string> NoParams = ReadOnlyDictionary<string, string>.Empty;

    private readonly IReadOnlyDictionary<string, string>? _params;

    private RouteMatch(RouteMatchKind kind, RouteDefinition? route, IReadOnlyDictionary<string, string>? parameters,
        string? allow, bool isHeadFallback)
    {
        Kind = kind;
        Route = route;
        _params = parameters;
        Allow = allow;
        IsHeadFallback = isHeadFallback;
    }

    internal static RouteMatch NotFound => default;

    internal static RouteMatch Found(RouteDefinition route, IReadOnlyDictionary<string, string> parameters, bool isHeadFallback) =>
        new(RouteMatchKind.Found, route, parameters, null, isHeadFallback);

    internal static RouteMatch MethodNotAllowed(string allow) =>
        new(RouteMatchKind.MethodNotAllowed, null, null, allow, false);

    public RouteMatchKind Kind { get; }

    /// <summary>The matched route when <see cref="Kind"/> is <see cref="RouteMatchKind.Found"/>, else null.</summary>
    public RouteDefinition? Route { get; }

    /// <summary>The matched route's handler id, or -1 when nothing was found.</summary>
    public int HandlerId => Route?.HandlerId ?? -1;

    /// <summary>
    /// Percent-decoded path parameters by name (a catch-all included). Never null; routes without
    /// parameters share one empty read-only instance.
    /// </summary>
    public IReadOnlyDictionary<string, string> Params => _params ?? NoParams;

    /// <summary>
    /// For <see cref="RouteMatchKind.MethodNotAllowed"/>: the <c>Allow</c> header value, methods sorted
    /// ordinally and joined with <c>", "</c> (e.g. <c>GET, HEAD, POST</c>); null otherwise.
    /// </summary>
    public string? Allow { get; }

    /// <summary>True when a HEAD request is served by a GET route; the caller must drop the body.</summary>
    public bool IsHeadFallback { get; }

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        RouteMatchKind.Found => $"Found {Route!.Pattern} -> {HandlerId}{(IsHeadFallback ? " (HEAD via GET)" : "")}",
        RouteMatchKind.MethodNotAllowed => $"MethodNotAllowed (Allow: {Allow})",
        _ => "NotFound",
    };
}
