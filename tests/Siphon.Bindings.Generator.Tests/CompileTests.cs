// Runs the generator through a real driver over each good fixture, compiles fixture + output
// against the .NET reference assemblies and Siphon.Runtime, then loads the result and checks
// that the module initializer registered a definition matching the model.
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Siphon.Runtime.Python.Binding;

namespace Siphon.Bindings.Generator.Tests;

public class CompileTests
{
    public static TheoryData<string> GoodFixtures => new(TestHelpers.Fixtures("Good"));

    [Theory]
    [MemberData(nameof(GoodFixtures))]
    public void Generated_glue_compiles_without_errors_or_warnings(string fixture)
    {
        var compilation = TestHelpers.FixtureCompilation("Good", fixture);
        var (result, output) = TestHelpers.Run(compilation);

        Assert.All(result.Results, r => Assert.Null(r.Exception));
        Assert.True(result.Diagnostics.IsEmpty, TestHelpers.Describe(result.Diagnostics));
        Assert.Equal(TestHelpers.ParseAll(compilation).Count, result.GeneratedTrees.Length);
        Assert.All(result.GeneratedTrees, t => Assert.EndsWith(".PyBinding.g.cs", t.FilePath));

        var problems = output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, TestHelpers.Describe(problems));
    }

    [Theory]
    [MemberData(nameof(GoodFixtures))]
    public void Module_initializer_registers_the_definition_the_model_describes(string fixture)
    {
        var compilation = TestHelpers.FixtureCompilation("Good", fixture);
        var models = TestHelpers.ParseAll(compilation).Select(r => r.Type!).ToList();
        var (_, output) = TestHelpers.Run(compilation);
        var assembly = TestHelpers.Load(output);
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);

        foreach (var model in models)
        {
            var clrType = assembly.GetType(model.FullyQualifiedName["global::".Length..], throwOnError: true)!;
            var definition = BindingRegistry.Definition(clrType);
            var direct = (PyTypeDefinition)clrType.GetMethod("__PyDefinition", BindingFlags.Static | BindingFlags.NonPublic)!.Invoke(null, null)!;

            Assert.Equal(clrType, definition.ClrType);
            Assert.Equal(model.PyName, definition.Name);
            Assert.Equal(model.Module, definition.Module);
            Assert.Equal(model.Doc, definition.Doc);
            Assert.Equal(BindingGenerator.EmitStub(model), definition.Stub);
            Assert.Equal(model.Constructor is not null, definition.New != 0);
            Assert.Equal(model.Properties.Select(p => (p.PyName, p.Doc)), definition.Properties.Select(p => (p.Name, p.Doc)));
            Assert.All(definition.Properties, p => Assert.NotEqual(0, p.Getter));
            Assert.Equal(
                model.Methods.Select(m => (m.PyName, m.Parameters.Count == 0 ? PyMethodFlags.NoArgs : PyMethodFlags.FastCallWithKeywords, m.Doc)),
                definition.Methods.Select(m => (m.Name, m.Flags, m.Doc)));
            Assert.All(definition.Methods, m => Assert.NotEqual(0, m.Function));
            Assert.Equal(definition.Properties, direct.Properties);
            Assert.Equal(definition.Methods, direct.Methods);
        }
    }
}
