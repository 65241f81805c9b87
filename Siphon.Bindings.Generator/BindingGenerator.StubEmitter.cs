// .pyi emitter: TypeSpec → the class's stub text (annotations, defaults, `*` for keyword-only,
// async def, docstrings). Pure; the text also travels in PyTypeDefinition.Stub for the stubs command.
using System.Collections.Generic;
using System.Text;
using Siphon.Bindings.Generator.Model;

namespace Siphon.Bindings.Generator
{
    public sealed partial class BindingGenerator
    {
        /// <summary>The .pyi text of one class (no imports: the stub file writer adds those). Pure.</summary>
        internal static string EmitStub(TypeSpec type)
        {
            var sb = new StringBuilder();
            var members = new List<string>();
            if (type.Constructor is { } ctor)
                members.Add(Function("def", "__init__", ctor.Parameters, "None", ctor.Doc, type.Module));
            foreach (var p in type.Properties)
                members.Add("@property\n" + Function("def", p.PyName, EquatableArray<ParameterSpec>.Empty, Annotation(p.Type, false, type.Module), p.Doc, type.Module));
            foreach (var m in type.Methods)
                members.Add(Function(m.IsAsync ? "async def" : "def", m.PyName, m.Parameters, Annotation(m.Result, false, type.Module), m.Doc, type.Module));

            sb.Append("class ").Append(type.PyName).Append(':');
            if (type.Doc is null && members.Count == 0) return sb.Append(" ...\n").ToString();
            sb.Append('\n');
            if (type.Doc is not null) sb.Append("    ").Append(Docstring(type.Doc)).Append('\n');
            foreach (var member in members)
                foreach (var line in member.Split('\n'))
                    sb.Append("    ").Append(line).Append('\n');
            return sb.ToString();
        }

        private static string Function(string def, string name, EquatableArray<ParameterSpec> parameters, string result, string? doc, string module)
        {
            var sb = new StringBuilder();
            sb.Append(def).Append(' ').Append(name).Append("(self");
            var star = false;
            foreach (var p in parameters)
            {
                if (p.IsKeywordOnly && !star)
                {
                    sb.Append(", *");
                    star = true;
                }
                sb.Append(", ").Append(p.PyName).Append(": ").Append(Annotation(p.Type, true, module));
                if (p.IsOptional) sb.Append(" = ").Append(p.PyDefault);
            }
            sb.Append(") -> ").Append(result).Append(':');
            if (doc is null) sb.Append(" ...");
            else sb.Append("\n    ").Append(Docstring(doc));
            return sb.ToString();
        }

        /// <summary>The annotation of a value: the [PyTypeHint] if any, else computed from its kind.</summary>
        internal static string Annotation(ValueSpec v, bool isParameter, string ownerModule)
        {
            if (v.TypeHint is not null) return v.TypeHint;
            var core = v.Kind switch
            {
                ValueKind.Void => "None",
                ValueKind.String => "str",
                ValueKind.Int64 or ValueKind.Int32 => "int",
                ValueKind.Boolean => "bool",
                ValueKind.Double => "float",
                ValueKind.Bytes or ValueKind.Memory => isParameter ? "bytes | str" : "bytes",
                ValueKind.Dictionary => "dict[str, str]",
                ValueKind.StringList => isParameter ? "list[str] | tuple[str, ...]" : "list[str]",
                ValueKind.Bound => v.BoundModule == ownerModule ? v.BoundPyName! : v.BoundModule + "." + v.BoundPyName,
                ValueKind.Object => "object",
                _ => "object",
            };
            return v.IsNullable && v.Kind != ValueKind.Void ? core + " | None" : core;
        }

        /// <summary>A one-line triple-quoted docstring.</summary>
        private static string Docstring(string doc)
        {
            var text = doc.Replace("\\", "\\\\").Replace("\"\"\"", "\\\"\\\"\\\"");
            if (text.EndsWith("\"")) text = text.Substring(0, text.Length - 1) + "\\\"";
            return "\"\"\"" + text + "\"\"\"";
        }
    }
}
