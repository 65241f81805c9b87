using Siphon.Runtime.Routing;

namespace Siphon.Runtime.Unit.Tests.Routing;

internal static class R
{
    /// <summary>A route; handler id defaults to the line so tests can tell routes apart.</summary>
    public static RouteDefinition Route(string pattern, int line, params string[] methods) =>
        new(pattern, methods.Length == 0 ? ["GET"] : methods, HandlerId: line, ScriptFile: "app.py", ScriptLine: line);

    public static RouteTable Table(params RouteDefinition[] routes) => RouteTable.Build(routes);

    /// <summary>Asserts a Found match and returns it.</summary>
    public static RouteMatch Found(RouteTable table, string method, string path, int expectedHandler)
    {
        var m = table.Match(method, path);
        Assert.Equal(RouteMatchKind.Found, m.Kind);
        Assert.Equal(expectedHandler, m.HandlerId);
        Assert.NotNull(m.Route);
        Assert.Equal(expectedHandler, m.Route!.HandlerId);
        return m;
    }

    public static void NotFound(RouteTable table, string method, string path)
    {
        var m = table.Match(method, path);
        Assert.Equal(RouteMatchKind.NotFound, m.Kind);
        Assert.Null(m.Route);
        Assert.Equal(-1, m.HandlerId);
        Assert.Null(m.Allow);
    }
}
