// The ids of the shapes the generator cannot bind; the parser (shared with the analyzer) reports
// them, the generator's descriptor table (BindingGenerator.Diagnostics.cs) gives them their text.
namespace Siphon.Bindings.Generator
{
    /// <summary>The generator's diagnostic ids. SIPH1xxx are shapes the generator cannot bind
    /// (the analyzers project uses SIPH0xxx for drift). Every one is an error at the offending member.</summary>
    internal static class DiagnosticIds
    {
        public const string TypeNotPartial = "SIPH1001";
        public const string TypeNested = "SIPH1002";
        public const string TypeGeneric = "SIPH1003";
        public const string TypeStatic = "SIPH1004";
        public const string GenericMethod = "SIPH1005";
        public const string ByRefParameter = "SIPH1006";
        public const string ParamsParameter = "SIPH1007";
        public const string UnsupportedParameterType = "SIPH1008";
        public const string UnsupportedResultType = "SIPH1009";
        public const string TooManyParameters = "SIPH1010";
        public const string DuplicatePythonName = "SIPH1011";
        public const string MultipleConstructors = "SIPH1012";
        public const string StaticMember = "SIPH1013";
        public const string PropertyNotReadable = "SIPH1014";
        public const string MisplacedCancellationToken = "SIPH1015";
        public const string InvalidPythonName = "SIPH1016";
        public const string CachedPropertyWithSetter = "SIPH1017";
    }
}
