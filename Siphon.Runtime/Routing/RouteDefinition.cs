namespace Siphon.Runtime.Routing;

/// <summary>
/// One <c>@http.route(...)</c> registration, as collected from the script.
/// </summary>
/// <param name="Pattern">The path pattern, e.g. <c>/users/{id}</c> (see <see cref="RoutePattern"/>).</param>
/// <param name="Methods">HTTP methods; stored upper-cased (invariant) with duplicates removed, declaration order kept.</param>
/// <param name="HandlerId">Opaque index of the Python handler; the table never interprets it.</param>
/// <param name="ScriptFile">Script file that applied the decorator, used in error messages.</param>
/// <param name="ScriptLine">1-based line of the decorator, used in error messages.</param>
public sealed record RouteDefinition(
    string Pattern,
    IReadOnlyList<string> Methods,
    int HandlerId,
    string ScriptFile,
    int ScriptLine)
{
    /// <summary>Upper-cased, de-duplicated methods in declaration order.</summary>
    public IReadOnlyList<string> Methods { get; init => field = NormalizeMethods(value); } = NormalizeMethods(Methods);

    /// <summary><c>file:line</c>, the prefix of every error about this route.</summary>
    public string Location => $"{ScriptFile}:{ScriptLine}";

    private static IReadOnlyList<string> NormalizeMethods(IReadOnlyList<string> methods)
    {
        ArgumentNullException.ThrowIfNull(methods);
        var result = new List<string>(methods.Count);
        foreach (var m in methods)
        {
            // A null entry becomes "" so RouteTable.Build reports it with the script line.
            var upper = (m ?? string.Empty).ToUpperInvariant();
            if (!result.Contains(upper))
            {
                result.Add(upper);
            }
        }
        return result.AsReadOnly();
    }
}
