// Default values: a C# parameter's default in C# (for the thunk) and in Python (for stubs and the
// drift comparison), both spelled by PyLiterals / the C# literal formatter.
using System;
using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Siphon.Bindings.Generator.Model;

namespace Siphon.Bindings.Generator
{
    internal static partial class SurfaceParser
    {
        /// <summary>The C# and Python spellings of a parameter's default value.</summary>
        private static (string Cs, string Py) Defaults(IParameterSymbol p, ValueSpec type)
        {
            if (!p.HasExplicitDefaultValue) return ("default", PyLiterals.Unknown);
            var value = p.ExplicitDefaultValue;
            switch (value)
            {
                case null:
                    // `= null` or `= default`: None, except for a struct that has a non-null default.
                    if (type.IsNullable || p.Type.IsReferenceType) return ("null", "None");
                    return type.Kind == ValueKind.Memory ? ("default", "b\"\"") : ("default", PyLiterals.Unknown);
                case string s:
                    return (SymbolDisplay.FormatLiteral(s, quote: true), PyLiterals.Str(s));
                case bool b:
                    return (b ? "true" : "false", b ? "True" : "False");
                case double d:
                    return (CsDouble(d), PyLiterals.Float(d));
                case float f:
                    return (CsDouble(f), PyLiterals.Float(f));
                case IFormattable number:
                    var text = number.ToString(null, CultureInfo.InvariantCulture);
                    return (text, text);
                default:
                    return ("default", PyLiterals.Unknown);
            }
        }

        private static string CsDouble(double d)
        {
            if (double.IsNaN(d)) return "double.NaN";
            if (double.IsPositiveInfinity(d)) return "double.PositiveInfinity";
            if (double.IsNegativeInfinity(d)) return "double.NegativeInfinity";
            var text = d.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOfAny(new[] { '.', 'E' }) < 0 ? text + ".0" : text;
        }
    }
}
