// Compares the runtime surface of one module (the [PyClass] types of siphon.http plus the functions
// and classes of the runtime's siphon/http.py, and the functions of its siphon/log.py; or the same
// for siphon.cache) with the SDK mock, and returns every difference as a finding:
// which rule, where, and the message arguments. It is a pure function of its inputs, run once per
// compilation by the one MockDriftAnalyzer, which reports every finding under its rule's id (the
// Rules/ classes hold each id's descriptor and message, not an analyzer of their own).
//
// Where findings are reported:
// - a [PyClass] type or one of its members: at the C# member (or, for a whole class or for a
//   member that only the mock has, at the class name in the declaration carrying [PyClass]);
// - what has no C# side at all (the decorator functions, the exception classes of the runtime's
//   siphon/http.py, a public mock class matching nothing): at its line in the Python file that
//   defines it (the runtime's file, or the mock's when only the mock has it). Either way the
//   message names the Python file and line.
//
// Not compared: mock names with a leading underscore (other than dunders); the mock's __init__
// when the C# type has no [PyConstructor] (scripts cannot construct it; only the mock can); the
// members of classes the runtime defines in Python (its exceptions), whose names alone are compared.
using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Siphon.Analyzers.Python;
using Siphon.Analyzers.Rules;

namespace Siphon.Analyzers.Drift
{
    internal sealed class DriftFinding
    {
        public DriftFinding(DiagnosticDescriptor rule, Location location, params object[] arguments)
        {
            Rule = rule;
            Location = location;
            Arguments = arguments;
        }

        public DiagnosticDescriptor Rule { get; }
        public Location Location { get; }
        public object[] Arguments { get; }

        public Diagnostic ToDiagnostic() => Diagnostic.Create(Rule, Location, Arguments);
    }

    internal static class DriftComparer
    {
        private const string MockPrefix = "Mock";

        public static List<DriftFinding> Compare(IEnumerable<BoundClass> boundClasses, PythonSides sides)
        {
            var findings = new List<DriftFinding>();
            var mock = sides.Mock;
            var claimed = new HashSet<PyClassDef>();

            // Symbol callbacks run concurrently: sort for a stable report order, keep one type per Python name.
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var bound in boundClasses.OrderBy(c => c.PyName, StringComparer.Ordinal).ThenBy(c => c.CSharpName, StringComparer.Ordinal))
            {
                if (!seen.Add(bound.PyName)) continue;
                var mockClass = FindClass(mock.Module, bound.PyName);
                if (mockClass is null)
                {
                    findings.Add(new DriftFinding(MissingInMockRule.Descriptor, bound.Location,
                        bound.PyName, "a class", "no class " + MockPrefix + bound.PyName + " or " + bound.PyName + " in " + mock.DisplayName));
                    continue;
                }
                claimed.Add(mockClass);
                CompareClass(bound, mockClass, mock, findings);
            }

            var runtime = sides.Runtime;
            foreach (var mockClass in mock.Module.Classes)
            {
                if (claimed.Contains(mockClass) || IsPrivate(mockClass.Name)) continue;
                var runtimeName = mockClass.Name.StartsWith(MockPrefix, StringComparison.Ordinal) && mockClass.Name.Length > MockPrefix.Length
                    ? mockClass.Name.Substring(MockPrefix.Length)
                    : mockClass.Name;
                if (runtime is null)
                {
                    // Without the runtime's Python file only a Mock<Name> class clearly stands for a bound type.
                    if (runtimeName == mockClass.Name) continue;
                }
                else if (runtime.Module.Classes.Any(c => c.Name == runtimeName || c.Name == mockClass.Name))
                {
                    continue;
                }
                var missing = "no [PyClass(\"" + runtimeName + "\", Module = \"" + sides.Module + "\")] type"
                    + (runtime is null ? "" : " and no class " + runtimeName + " in " + runtime.DisplayName);
                findings.Add(new DriftFinding(MissingInRuntimeRule.Descriptor, mock.LocationOf(mockClass.Line),
                    mockClass.Name, "a class, " + mock.At(mockClass.Line), missing));
            }

            if (runtime is not null) CompareModule(runtime, mock, seen, findings);
            // siphon.log has no bound types: its functions are compared like the decorators.
            if (sides.LogRuntime is not null && sides.LogMock is not null)
                CompareModule(sides.LogRuntime, sides.LogMock, new HashSet<string>(StringComparer.Ordinal), findings);
            return findings;
        }

        private static void CompareClass(BoundClass bound, PyClassDef mockClass, PythonFile mock, List<DriftFinding> findings)
        {
            var mockMembers = new Dictionary<string, PyFunction>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var f in mockClass.Members)
            {
                if (IsPrivate(f.Name) || f.IsPropertyAccessor || f.IsOverload) continue;
                if (!mockMembers.ContainsKey(f.Name)) order.Add(f.Name);
                mockMembers[f.Name] = f; // a later def replaces an earlier one, as in Python
            }

            var runtimeMembers = new List<BoundMember>();
            if (bound.Constructor is not null) runtimeMembers.Add(bound.Constructor);
            runtimeMembers.AddRange(bound.Members);

            var matched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var member in runtimeMembers)
            {
                if (!matched.Add(member.PyName)) continue; // two C# members, one Python name: the generator's error
                var qualified = bound.PyName + "." + member.PyName;
                if (!mockMembers.TryGetValue(member.PyName, out var f))
                {
                    findings.Add(new DriftFinding(MissingInMockRule.Descriptor, member.Location,
                        qualified, member.Describe(), "class " + mockClass.Name + ", " + mock.At(mockClass.Line)));
                    continue;
                }
                var mockIsProperty = f.IsProperty;
                var runtimeIsProperty = member.Kind == BoundMemberKind.Property;
                if (mockIsProperty != runtimeIsProperty)
                {
                    findings.Add(new DriftFinding(PropertyMethodMismatchRule.Descriptor, member.Location,
                        qualified, mock.At(f.Line), mockIsProperty ? "property" : "method", runtimeIsProperty ? "property" : "method"));
                    continue;
                }
                if (runtimeIsProperty) continue;
                CompareCallable(qualified, f, mock, member.IsAsync, member.Parameters, hasSelf: true, member.Location, findings);
            }

            foreach (var name in order)
            {
                if (matched.Contains(name)) continue;
                if (name == "__init__" && bound.Constructor is null) continue; // only the mock can construct it
                var f = mockMembers[name];
                findings.Add(new DriftFinding(MissingInRuntimeRule.Descriptor, bound.Location,
                    bound.PyName + "." + name, Describe(f, isMember: true) + ", " + mock.At(f.Line),
                    bound.CSharpName + " has no [PyProperty], [PyMethod] or [PyConstructor] member named " + name));
            }
        }

        private static void CompareModule(PythonFile runtime, PythonFile mock, HashSet<string> boundNames, List<DriftFinding> findings)
        {
            // Classes the runtime defines in Python (its exceptions): names only.
            foreach (var runtimeClass in runtime.Module.Classes)
            {
                if (IsPrivate(runtimeClass.Name) || boundNames.Contains(runtimeClass.Name)) continue;
                if (FindClass(mock.Module, runtimeClass.Name) is not null) continue;
                findings.Add(new DriftFinding(MissingInMockRule.Descriptor, runtime.LocationOf(runtimeClass.Line),
                    runtimeClass.Name, "a class, " + runtime.At(runtimeClass.Line),
                    "no class " + runtimeClass.Name + " or " + MockPrefix + runtimeClass.Name + " in " + mock.DisplayName));
            }

            var mockFunctions = PublicFunctions(mock.Module);
            var runtimeFunctions = PublicFunctions(runtime.Module);
            foreach (var pair in runtimeFunctions)
            {
                var fn = pair.Value;
                var location = runtime.LocationOf(fn.Line);
                if (!mockFunctions.TryGetValue(pair.Key, out var mockFn))
                {
                    findings.Add(new DriftFinding(MissingInMockRule.Descriptor, location,
                        fn.Name, Describe(fn, isMember: false) + ", " + runtime.At(fn.Line), "no function " + fn.Name + " in " + mock.DisplayName));
                    continue;
                }
                CompareCallable(fn.Name, mockFn, mock, fn.IsAsync, fn.Parameters, hasSelf: false, location, findings);
            }
            foreach (var pair in mockFunctions)
            {
                if (runtimeFunctions.ContainsKey(pair.Key)) continue;
                var fn = pair.Value;
                findings.Add(new DriftFinding(MissingInRuntimeRule.Descriptor, mock.LocationOf(fn.Line),
                    fn.Name, Describe(fn, isMember: false) + ", " + mock.At(fn.Line), "no function " + fn.Name + " in " + runtime.DisplayName));
            }
        }

        private static void CompareCallable(string qualified, PyFunction mockFn, PythonFile mock, bool runtimeIsAsync,
            IReadOnlyList<PyParameter> runtimeParameters, bool hasSelf, Location location, List<DriftFinding> findings)
        {
            if (mockFn.IsAsync != runtimeIsAsync)
            {
                findings.Add(new DriftFinding(AsyncMismatchRule.Descriptor, location,
                    qualified, mock.At(mockFn.Line), mockFn.IsAsync ? "async def" : "def", runtimeIsAsync ? "async def" : "def"));
            }

            var mockParameters = mockFn.Parameters;
            string? self = null;
            if (hasSelf && !mockFn.IsStaticMethod && mockParameters.Count > 0
                && mockParameters[0].Kind is PyParameterKind.PositionalOrKeyword or PyParameterKind.PositionalOnly)
            {
                self = mockParameters[0].Name;
                mockParameters = mockParameters.Skip(1).ToList();
            }
            if (!SameParameters(mockParameters, runtimeParameters))
            {
                findings.Add(new DriftFinding(ParameterMismatchRule.Descriptor, location,
                    qualified, mock.At(mockFn.Line), Render(mockParameters, hasSelf ? self ?? "" : null),
                    Render(runtimeParameters, hasSelf ? "self" : null)));
            }
        }

        internal static bool SameParameters(IReadOnlyList<PyParameter> a, IReadOnlyList<PyParameter> b)
        {
            if (a.Count != b.Count) return false;
            for (var i = 0; i < a.Count; i++)
            {
                if (a[i].Name != b[i].Name || a[i].Kind != b[i].Kind) return false;
                var x = a[i].Default;
                var y = b[i].Default;
                if (x is null || y is null)
                {
                    if (x != y) return false;
                }
                else if (x != y && x != PyLiteral.Unknown && y != PyLiteral.Unknown)
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary><c>(self, path, *, headers=None)</c>; <paramref name="self"/> null for a function.</summary>
        internal static string Render(IReadOnlyList<PyParameter> parameters, string? self)
        {
            var parts = new List<string>();
            if (!string.IsNullOrEmpty(self)) parts.Add(self!);
            var starred = false;
            for (var i = 0; i < parameters.Count; i++)
            {
                var p = parameters[i];
                switch (p.Kind)
                {
                    case PyParameterKind.VarPositional:
                        parts.Add("*" + p.Name);
                        starred = true;
                        break;
                    case PyParameterKind.VarKeyword:
                        parts.Add("**" + p.ToString());
                        break;
                    case PyParameterKind.KeywordOnly:
                        if (!starred) parts.Add("*");
                        starred = true;
                        parts.Add(p.ToString());
                        break;
                    default:
                        parts.Add(p.ToString());
                        break;
                }
                if (p.Kind == PyParameterKind.PositionalOnly && (i + 1 == parameters.Count || parameters[i + 1].Kind != PyParameterKind.PositionalOnly))
                    parts.Add("/");
            }
            return "(" + string.Join(", ", parts) + ")";
        }

        private static PyClassDef? FindClass(PyModule module, string name)
        {
            PyClassDef? plain = null;
            foreach (var c in module.Classes)
            {
                if (c.Name == MockPrefix + name) return c;
                if (c.Name == name) plain ??= c;
            }
            return plain;
        }

        private static Dictionary<string, PyFunction> PublicFunctions(PyModule module)
        {
            var result = new Dictionary<string, PyFunction>(StringComparer.Ordinal);
            foreach (var fn in module.Functions)
                if (!IsPrivate(fn.Name) && !fn.IsOverload) result[fn.Name] = fn;
            return result;
        }

        private static string Describe(PyFunction f, bool isMember)
        {
            if (isMember && f.IsProperty) return "a property";
            if (isMember && f.Name == "__init__") return "a constructor";
            var what = isMember ? "method" : "function";
            return f.IsAsync ? "an async " + what : "a " + what;
        }

        /// <summary>A leading underscore marks a private name, except for dunders (__init__, __aenter__, ...).</summary>
        private static bool IsPrivate(string name) =>
            name.StartsWith("_", StringComparison.Ordinal) && !(name.Length > 4 && name.StartsWith("__", StringComparison.Ordinal) && name.EndsWith("__", StringComparison.Ordinal));
    }
}
