// Kept whole although it is over 400 lines: it is one data structure, the segment tree (Node,
// Endpoint, Entry), with the code that builds it (insertion, conflict checks) and the hot path that
// walks it (Match). The two are views of the same private tree: one node per path shape, so a
// conflict refused at build is exactly two routes Match could not tell apart. Split, the tree's
// types would have to become visible to both halves.
namespace Siphon.Runtime.Routing;

/// <summary>
/// The immutable route table: built once when the script has loaded, then matched on every request
/// (thread-safe for concurrent <see cref="Match"/> calls).
/// </summary>
/// <remarks>
/// <para><b>Conflicts.</b> Two routes conflict when they claim the same method for the same path
/// <i>shape</i>: the same literals and parameters at the same positions (parameter names do not
/// count) and the same catch-all position. <c>/x/{id}</c> GET and <c>/x/{key}</c> GET conflict;
/// <c>/x/{id}</c> GET and <c>/x/{key}</c> POST do not, nor do overlapping shapes such as
/// <c>/x/new</c> and <c>/x/{id}</c>.</para>
/// <para><b>Precedence.</b> Segments are compared left to right; at each position a literal beats
/// <c>{param}</c>, which beats <c>{*catchall}</c>; a pattern that ends at the current position beats a
/// catch-all that would match zero segments. If the preferred branch fails further right, the
/// walk backtracks: with <c>/a/b/d</c> and <c>/a/{x}/c</c>, <c>/a/b/c</c> goes to <c>/a/{x}/c</c>.</para>
/// <para><b>Methods.</b> A route matches when both its path and its method match; among the routes
/// whose path matches, the first in precedence order that accepts the method wins (so with
/// <c>/a/b</c> POST and <c>/a/{x}</c> GET, <c>GET /a/b</c> goes to <c>/a/{x}</c>). If routes match the
/// path but none the method, the result is 405 and <c>Allow</c> lists the methods of all of them.
/// Methods are compared case-sensitively (RFC 9110 §9.1); definitions are upper-cased, so a request
/// method of <c>get</c> gets 405. <c>HEAD</c> is accepted by a path shape that declares HEAD, or else
/// by one that declares GET (<see cref="RouteMatch.IsHeadFallback"/>); it therefore reaches the same
/// handler GET would. Allow always includes HEAD when GET is there; OPTIONS only when declared.</para>
/// <para><b>Paths.</b> <see cref="Match"/> takes the raw, still percent-encoded request target path
/// (e.g. Kestrel's <c>IHttpRequestFeature.RawTarget</c>), not the already-decoded
/// <c>HttpRequest.Path</c>. It splits on <c>/</c> first and then percent-decodes each segment (see
/// <see cref="PercentDecoder"/>), so <c>%2F</c> inside a segment is data, not a separator. Matching is
/// case-sensitive and no dot-segment (<c>.</c>, <c>..</c>) normalisation is done here. Anything from
/// <c>?</c> on is ignored; an empty path is treated as <c>/</c>; a path not starting with <c>/</c>
/// (e.g. <c>*</c>) is not found.</para>
/// </remarks>
public sealed class RouteTable
{
    private const int StackSegments = 32;

    private readonly Node _root;

    private RouteTable(Node root, IReadOnlyList<RouteDefinition> routes)
    {
        _root = root;
        Routes = routes;
    }

    /// <summary>The routes, in the order given to <see cref="Build"/>.</summary>
    public IReadOnlyList<RouteDefinition> Routes { get; }

    /// <summary>Builds a table from the script's routes.</summary>
    /// <exception cref="RouteTableException">
    /// A bad pattern (<c>app.py:12: bad route pattern "/x/{": unclosed '{' ...</c>), a route with no or
    /// invalid methods, or a conflict (<c>app.py:12: route "/x/{id}" GET conflicts with app.py:5 route "/x/{key}"</c>).
    /// </exception>
    public static RouteTable Build(IEnumerable<RouteDefinition> routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var root = new Node();
        var all = new List<RouteDefinition>();
        var endpoints = new List<Endpoint>();
        foreach (var route in routes)
        {
            if (route is null)
            {
                throw new ArgumentException("a route definition is null", nameof(routes));
            }

            RoutePattern pattern;
            try
            {
                pattern = RoutePattern.Parse(route.Pattern);
            }
            catch (RoutePatternException ex)
            {
                throw new RouteTableException(route, $"{route.Location}: {ex.Message}", ex);
            }

            if (route.Methods.Count == 0)
            {
                throw new RouteTableException(route, $"{route.Location}: route \"{route.Pattern}\" declares no methods");
            }
            foreach (var method in route.Methods)
            {
                if (!IsToken(method))
                {
                    throw new RouteTableException(route,
                        $"{route.Location}: route \"{route.Pattern}\" has an invalid method \"{method}\"");
                }
            }

            var endpoint = Insert(root, pattern, endpoints);
            foreach (var method in route.Methods)
            {
                if (endpoint.Find(method) is { } existing)
                {
                    throw new RouteTableException(route,
                        $"{route.Location}: route \"{route.Pattern}\" {method} conflicts with " +
                        $"{existing.Route.Location} route \"{existing.Route.Pattern}\"");
                }
                endpoint.Add(new Entry(method, route, pattern));
            }
            all.Add(route);
        }

        foreach (var endpoint in endpoints)
        {
            endpoint.Freeze();
        }
        return new RouteTable(root, all.AsReadOnly());
    }

    /// <summary>Matches one request.</summary>
    /// <param name="method">The request method as received (compared case-sensitively).</param>
    /// <param name="rawPath">The raw, percent-encoded path, without the query string.</param>
    /// <remarks>
    /// Cost: the walk visits each trie node at most once (a node sits at a fixed depth and is reached
    /// only through its parent), so the worst case is O(trie nodes) and the usual case is O(segments)
    /// with one hash lookup per literal position. Each segment is decoded at most once, and only if it
    /// contains '%'. Allocations: none for a parameterless route on a path without '%' and with at most
    /// 32 segments; otherwise a decoded-segment cache, the parameter dictionary and its value strings.
    /// The 405 path (rare) allocates to merge Allow lists.
    /// </remarks>
    public RouteMatch Match(string method, string rawPath)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(rawPath);

        string path = rawPath;
        int length = path.IndexOf('?');
        if (length < 0)
        {
            length = path.Length;
        }
        if (length == 0)
        {
            path = "/";
            length = 1;
        }
        if (path[0] != '/')
        {
            return RouteMatch.NotFound;
        }

        ReadOnlySpan<char> p = path.AsSpan(0, length);
        int count = p.Count('/');
        Span<Range> segments = count <= StackSegments ? stackalloc Range[StackSegments] : new Range[count];
        segments = segments[..count];
        int start = 1;
        for (int k = 0; k < count; k++)
        {
            int next = p[start..].IndexOf('/');
            int end = next < 0 ? length : start + next;
            segments[k] = new Range(start, end);
            start = end + 1;
        }

        var ctx = new MatchContext(path, length, segments, method, p.Contains('%'));
        if (Walk(_root, 0, ref ctx))
        {
            var entry = ctx.Found!;
            var parameters = entry.Pattern.ParameterCount == 0 ? RouteMatch.NoParams : ExtractParams(entry, ref ctx);
            return RouteMatch.Found(entry.Route, parameters, ctx.HeadFallback);
        }
        if (ctx.PathMatch is null)
        {
            return RouteMatch.NotFound;
        }
        return RouteMatch.MethodNotAllowed(ctx.MorePathMatches is null
            ? ctx.PathMatch.Allow
            : MergeAllow(ctx.PathMatch, ctx.MorePathMatches));
    }

    // Precedence-ordered depth-first walk; true once an endpoint accepts the method.
    private static bool Walk(Node node, int i, ref MatchContext ctx)
    {
        if (i == ctx.Segments.Length)
        {
            if (node.End is { } end && Accept(end, ref ctx))
            {
                return true;
            }
        }
        else
        {
            ReadOnlySpan<char> segment = SegmentSpan(ref ctx, i);
            if (node.Literals is not null && node.LiteralLookup.TryGetValue(segment, out var literal)
                && Walk(literal, i + 1, ref ctx))
            {
                return true;
            }
            if (node.Param is { } param && segment.Length != 0 && Walk(param, i + 1, ref ctx))
            {
                return true;
            }
        }
        return node.CatchAll is { } catchAll && Accept(catchAll, ref ctx);
    }

    private static bool Accept(Endpoint endpoint, ref MatchContext ctx)
    {
        var entry = endpoint.Find(ctx.Method);
        bool fallback = false;
        if (entry is null && ctx.IsHead && endpoint.Get is { } get)
        {
            entry = get;
            fallback = true;
        }
        if (entry is not null)
        {
            ctx.Found = entry;
            ctx.HeadFallback = fallback;
            return true;
        }
        if (ctx.PathMatch is null)
        {
            ctx.PathMatch = endpoint;
        }
        else
        {
            (ctx.MorePathMatches ??= []).Add(endpoint);
        }
        return false;
    }

    private static Dictionary<string, string> ExtractParams(Entry entry, ref MatchContext ctx)
    {
        var result = new Dictionary<string, string>(entry.Pattern.ParameterCount, StringComparer.Ordinal);
        RouteSegment[] segments = entry.Segments;
        for (int i = 0; i < segments.Length; i++)
        {
            switch (segments[i].Kind)
            {
                case RouteSegmentKind.Parameter:
                    result[segments[i].Value] = SegmentString(ref ctx, i);
                    break;
                case RouteSegmentKind.CatchAll:
                    result[segments[i].Value] = Remainder(ref ctx, i);
                    break;
            }
        }
        return result;
    }

    private static ReadOnlySpan<char> SegmentSpan(ref MatchContext ctx, int i)
    {
        ReadOnlySpan<char> raw = ctx.Path.AsSpan(ctx.Segments[i]);
        if (!ctx.HasPercent || raw.IndexOf('%') < 0)
        {
            return raw;
        }
        ctx.Decoded ??= new string?[ctx.Segments.Length];
        return ctx.Decoded[i] ??= PercentDecoder.Decode(raw);
    }

    private static string SegmentString(ref MatchContext ctx, int i)
    {
        if (ctx.Decoded?[i] is { } decoded)
        {
            return decoded;
        }
        ReadOnlySpan<char> raw = ctx.Path.AsSpan(ctx.Segments[i]);
        return ctx.HasPercent ? PercentDecoder.Decode(raw) : raw.ToString();
    }

    // The catch-all value: decoded segments i.. joined with '/', i.e. the decoded raw remainder.
    private static string Remainder(ref MatchContext ctx, int i)
    {
        if (i >= ctx.Segments.Length)
        {
            return string.Empty;
        }
        int start = ctx.Segments[i].Start.Value;
        ReadOnlySpan<char> raw = ctx.Path.AsSpan(start, ctx.Length - start);
        return ctx.HasPercent ? PercentDecoder.Decode(raw) : raw.ToString();
    }

    private static string MergeAllow(Endpoint first, List<Endpoint> more)
    {
        var methods = new SortedSet<string>(first.AllowMethods, StringComparer.Ordinal);
        foreach (var endpoint in more)
        {
            methods.UnionWith(endpoint.AllowMethods);
        }
        return string.Join(", ", methods);
    }

    private static Endpoint Insert(Node root, RoutePattern pattern, List<Endpoint> endpoints)
    {
        Node node = root;
        foreach (var segment in pattern.Segments)
        {
            switch (segment.Kind)
            {
                case RouteSegmentKind.Literal:
                    node.Literals ??= CreateLiterals(node);
                    if (!node.Literals.TryGetValue(segment.Value, out var child))
                    {
                        child = new Node();
                        node.Literals.Add(segment.Value, child);
                    }
                    node = child;
                    break;
                case RouteSegmentKind.Parameter:
                    node = node.Param ??= new Node();
                    break;
                default: // catch-all, always last
                    return node.CatchAll ??= NewEndpoint(endpoints);
            }
        }
        return node.End ??= NewEndpoint(endpoints);
    }

    private static Dictionary<string, Node> CreateLiterals(Node node)
    {
        var literals = new Dictionary<string, Node>(StringComparer.Ordinal);
        node.LiteralLookup = literals.GetAlternateLookup<ReadOnlySpan<char>>();
        return literals;
    }

    private static Endpoint NewEndpoint(List<Endpoint> endpoints)
    {
        var endpoint = new Endpoint();
        endpoints.Add(endpoint);
        return endpoint;
    }

    // RFC 9110 token: 1*tchar.
    private static bool IsToken(string s)
    {
        if (s.Length == 0)
        {
            return false;
        }
        foreach (char c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && "!#$%&'*+-.^_`|~".IndexOf(c) < 0)
            {
                return false;
            }
        }
        return true;
    }

    private sealed class Node
    {
        public Dictionary<string, Node>? Literals;
        public Dictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>> LiteralLookup;
        public Node? Param;
        public Endpoint? End;       // patterns ending here
        public Endpoint? CatchAll;  // patterns with {*name} at this position
    }

    // All routes of one path shape, one entry per method.
    private sealed class Endpoint
    {
        private Entry[] _entries = [];

        public Entry? Get { get; private set; }

        public string[] AllowMethods { get; private set; } = [];

        public string Allow { get; private set; } = string.Empty;

        // Build time only; a shape rarely has more than a handful of methods.
        public void Add(Entry entry) => _entries = [.. _entries, entry];

        public Entry? Find(string method)
        {
            foreach (var entry in _entries)
            {
                if (string.Equals(entry.Method, method, StringComparison.Ordinal))
                {
                    return entry;
                }
            }
            return null;
        }

        public void Freeze()
        {
            Get = Find("GET");
            var methods = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var entry in _entries)
            {
                methods.Add(entry.Method);
            }
            if (Get is not null)
            {
                methods.Add("HEAD");
            }
            AllowMethods = [.. methods];
            Allow = string.Join(", ", AllowMethods);
        }
    }

    private sealed class Entry(string method, RouteDefinition route, RoutePattern pattern)
    {
        public string Method { get; } = method;
        public RouteDefinition Route { get; } = route;
        public RoutePattern Pattern { get; } = pattern;
        public RouteSegment[] Segments { get; } = [.. pattern.Segments];
    }

    private ref struct MatchContext(string path, int length, Span<Range> segments, string method, bool hasPercent)
    {
        public readonly string Path = path;
        public readonly int Length = length;
        public readonly Span<Range> Segments = segments;
        public readonly string Method = method;
        public readonly bool IsHead = string.Equals(method, "HEAD", StringComparison.Ordinal);
        public readonly bool HasPercent = hasPercent;
        public string?[]? Decoded;
        public Entry? Found;
        public bool HeadFallback;
        public Endpoint? PathMatch;
        public List<Endpoint>? MorePathMatches;
    }
}
