// The stable ids of the drift rules (SIPH0xxx; the binding generator owns SIPH1xxx). An id is
// never reused or renumbered: docs/analyzers/<id>.md documents each one, and release tracking
// (AnalyzerReleases.*.md) records when it shipped.
namespace Siphon.Analyzers
{
    internal static class RuleIdentifiers
    {
        /// <summary>Exported by the runtime (a [PyClass] type or member, or a function of the runtime's
        /// siphon/http.py) but missing in the SDK mock.</summary>
        public const string MissingInMock = "SIPH0001";

        /// <summary>Defined in the SDK mock but missing in the runtime.</summary>
        public const string MissingInRuntime = "SIPH0002";

        /// <summary>Parameter names, order, kinds or defaults differ.</summary>
        public const string ParameterMismatch = "SIPH0003";

        /// <summary><c>def</c> in one, <c>async def</c> in the other.</summary>
        public const string AsyncMismatch = "SIPH0004";

        /// <summary>A property in one, a method in the other.</summary>
        public const string PropertyMethodMismatch = "SIPH0005";

        /// <summary>The rule's docs page, relative to the repository root (the project has no
        /// published docs site; the path is what a reader of the build output can open).</summary>
        public static string GetHelpUri(string id) => "docs/analyzers/" + id + ".md";
    }
}
