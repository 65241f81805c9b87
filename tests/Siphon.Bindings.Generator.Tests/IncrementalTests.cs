// The pipeline stays incremental: the same input is Cached, an unrelated edit leaves the models
// Unchanged, an edit to the bound surface does reach them, and the model holds no Roslyn objects.
using System.Reflection;
using Microsoft.CodeAnalysis;
using Siphon.Bindings.Generator.Model;

namespace Siphon.Bindings.Generator.Tests;

public class IncrementalTests
{
    private static readonly string[] s_steps = [BindingGenerator.ParseStep, BindingGenerator.ModelStep];

    private static Compilation AllGoodFixtures() => TestHelpers.Compile("AllGood",
        TestHelpers.Fixtures("Good").Select(f => TestHelpers.Parse(TestHelpers.FixtureText("Good", f), $"Good/{f}.cs")).ToArray());

    private static GeneratorRunResult RunTwice(Compilation first, Compilation second)
    {
        var driver = TestHelpers.CreateDriver().RunGenerators(first);
        return driver.RunGenerators(second).GetRunResult().Results.Single();
    }

    private static IEnumerable<IncrementalStepRunReason> OutputReasons(GeneratorRunResult result, string step)
    {
        Assert.True(result.TrackedSteps.ContainsKey(step), $"step {step} was not tracked");
        var outputs = result.TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToList();
        Assert.NotEmpty(outputs);
        return outputs;
    }

    [Fact]
    public void Same_compilation_again_is_cached()
    {
        var compilation = AllGoodFixtures();
        var result = RunTwice(compilation, compilation);

        foreach (var step in s_steps)
            Assert.All(OutputReasons(result, step), r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Unrelated_edit_leaves_the_models_unchanged()
    {
        var compilation = AllGoodFixtures();
        var edited = compilation.AddSyntaxTrees(TestHelpers.Parse(
            "namespace Elsewhere; public class Unrelated { public int Value => 42; }", "Unrelated.cs"));
        var result = RunTwice(compilation, edited);

        foreach (var step in s_steps)
            Assert.All(OutputReasons(result, step), r => Assert.Contains(r, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
        Assert.All(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs),
            o => Assert.Equal(IncrementalStepRunReason.Cached, o.Reason));
    }

    [Fact]
    public void Edit_to_the_bound_surface_reaches_the_model()
    {
        var compilation = AllGoodFixtures();
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == "Good/Constructor.cs");
        var text = tree.GetText().ToString().Replace("public string Reason { get; }", "public string Reason2 { get; }")
            .Replace("Reason = reason;", "Reason2 = reason;");
        var edited = compilation.ReplaceSyntaxTree(tree, TestHelpers.Parse(text, tree.FilePath));
        var result = RunTwice(compilation, edited);

        Assert.Contains(IncrementalStepRunReason.Modified, OutputReasons(result, BindingGenerator.ModelStep));
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("__py_get_Reason2"));
    }

    [Fact]
    public void Model_holds_no_symbols_compilations_syntax_or_locations()
    {
        var results = TestHelpers.Fixtures("Good").Select(f => ("Good", f)).Concat(TestHelpers.Fixtures("Bad").Select(f => ("Bad", f)))
            .SelectMany(x => TestHelpers.ParseAll(TestHelpers.FixtureCompilation(x.Item1, x.Item2)))
            .ToList();
        Assert.NotEmpty(results);
        Assert.Contains(results, r => r.Diagnostics.Count > 0 && r.Diagnostics.Any(d => d.Location is not null));
        foreach (var r in results) Assert.Empty(Forbidden(r));
    }

    [Fact]
    public void Model_types_declare_only_plain_value_fields()
    {
        var modelTypes = typeof(BindingGenerator).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(TypeSpec).Namespace && !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)))
            .ToHashSet();
        Assert.Contains(typeof(TypeSpec), modelTypes);
        foreach (var type in modelTypes.Where(t => !t.IsEnum && !t.IsAbstract && !t.IsGenericTypeDefinition))
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
                Assert.True(IsPlain(field.FieldType, modelTypes), $"{type.Name}.{field.Name} is a {field.FieldType}");
    }

    [Fact]
    public void Forbidden_object_walker_finds_a_hidden_location()
    {
        // The walker must be able to fail: a Location tucked inside an object graph is found.
        var nested = new object[] { "x", new List<object> { Location.None } };
        Assert.NotEmpty(Forbidden(nested));
        Assert.Empty(Forbidden(new object[] { "x", 1, new List<object> { true } }));
    }

    private static bool IsPlain(Type t, HashSet<Type> modelTypes)
    {
        if (t == typeof(string) || t == typeof(bool) || t == typeof(int) || t.IsEnum) return true;
        if (Nullable.GetUnderlyingType(t) is { } u) return IsPlain(u, modelTypes);
        if (t.IsArray) return IsPlain(t.GetElementType()!, modelTypes);
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(EquatableArray<>)) return IsPlain(t.GetGenericArguments()[0], modelTypes);
        return modelTypes.Contains(t);
    }

    private static readonly Type[] s_forbidden =
        [typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SyntaxTree), typeof(SemanticModel), typeof(Location)];

    /// <summary>Every reachable object (through fields and array items, so collections too) of a forbidden type.</summary>
    private static List<string> Forbidden(object root)
    {
        var found = new List<string>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(object Value, string Path)>();
        stack.Push((root, root.GetType().Name));
        while (stack.Count > 0)
        {
            var (value, path) = stack.Pop();
            var type = value.GetType();
            if (s_forbidden.Any(f => f.IsAssignableFrom(type)))
            {
                found.Add($"{path}: {type}");
                continue;
            }
            if (type.IsPrimitive || type.IsEnum || value is string || (!type.IsValueType && !seen.Add(value))) continue;
            if (value is Array array)
            {
                var i = 0;
                foreach (var item in array)
                    if (item is not null) stack.Push((item, $"{path}[{i++}]"));
                continue;
            }
            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (field.GetValue(value) is { } child)
                        stack.Push((child, $"{path}.{field.Name}"));
        }
        return found;
    }
}
