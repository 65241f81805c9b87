// The binding generator: C# types marked [PyClass] become Python classes. For each such type it
// writes the marshalling glue (UnmanagedCallersOnly thunks and a PyTypeDefinition registered by a
// module initializer) and the class's .pyi text, which travels inside the definition.
//
// Pipeline (as System.Text.Json's generator): ForAttributeWithMetadataName → Parse, an equatable
// model with no symbols → one source output per type and one diagnostics output. The parser
// (Surface/, shared with the analyzer) decides the Python surface; the emitters and the descriptor
// table are partial files of this class; the emitters are pure functions of the model.
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Siphon.Bindings.Generator
{
    [Generator(LanguageNames.CSharp)]
    public sealed partial class BindingGenerator : IIncrementalGenerator
    {
        /// <summary>The attribute that marks a bound type.</summary>
        public const string PyClassAttributeName = "Siphon.Bindings.PyClassAttribute";

        /// <summary>Tracking name of the parse step (one <c>ParseResult</c> per [PyClass] type).</summary>
        public const string ParseStep = "Siphon.Bindings.Parse";

        /// <summary>Tracking name of the model step (the <c>TypeSpec</c>s the glue is emitted from).</summary>
        public const string ModelStep = "Siphon.Bindings.Model";

        /// <summary>Tracking name of the diagnostics step.</summary>
        public const string DiagnosticsStep = "Siphon.Bindings.Diagnostics";

        public void Initialize(IncrementalGeneratorInitializationContext context)
        {
            var parsed = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    PyClassAttributeName,
                    static (node, _) => node is ClassDeclarationSyntax or RecordDeclarationSyntax,
                    static (ctx, ct) => SurfaceParser.Parse((INamedTypeSymbol)ctx.TargetSymbol, ct))
                .WithTrackingName(ParseStep);

            var models = parsed
                .Where(static r => r.Type is not null)
                .Select(static (r, _) => r.Type!)
                .WithTrackingName(ModelStep);

            var diagnostics = parsed
                .Select(static (r, _) => r.Diagnostics)
                .Where(static d => d.Count > 0)
                .WithTrackingName(DiagnosticsStep);

            context.RegisterSourceOutput(models, static (spc, type) => spc.AddSource(type.HintName, EmitGlue(type)));
            context.RegisterSourceOutput(diagnostics, static (spc, list) =>
            {
                foreach (var d in list) spc.ReportDiagnostic(ToDiagnostic(d));
            });
        }
    }
}
