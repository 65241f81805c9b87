// The Python files among the compilation's AdditionalFiles: the SDK mock (path ending in
// siphon_sdk/http.py) and the runtime's own siphon/http.py (path ending in python/siphon/http.py),
// which defines the decorators and exception classes that are runtime surface too; the pair
// for the log namespace (siphon_sdk/log.py, python/siphon/log.py), whose functions are compared
// the same way; and, as a module of its own with bound types, siphon.cache (siphon_sdk/cache.py,
// python/siphon/cache.py, looked for beside the http files). The suffixes can be changed with
// global analyzer config keys (a .globalconfig, or build properties made compiler-visible):
//
//     siphon_drift.sdk_mock_suffix = siphon_sdk/http.py
//     siphon_drift.runtime_python_suffix = python/siphon/http.py
//     siphon_drift.sdk_log_suffix = siphon_sdk/log.py
//     siphon_drift.runtime_log_suffix = python/siphon/log.py
//
// An extension's types (docs/extensions.md) are compared with its Python test double: any other
// .py additional file stands for each module its path can spell outside siphon
// (tests/doubles/acme/pricing.py: pricing, acme.pricing, doubles.acme.pricing, ...), and such a
// module is compared only when the compilation binds a type into it (MockDriftAnalyzer).
using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Siphon.Analyzers.Python;

namespace Siphon.Analyzers.Drift
{
    /// <summary>One parsed Python file, with the name messages use for it.</summary>
    /// <param name="DisplayName">The matched suffix (e.g. <c>siphon_sdk/http.py</c>): short and the same on every machine.</param>
    internal sealed record PythonFile(string Path, string DisplayName, SourceText Text, PyModule Module)
    {
        /// <summary><c>siphon_sdk/http.py:190</c></summary>
        public string At(int line) => DisplayName + ":" + line.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>A location on the given 1-based line, from its first non-blank character to its end.</summary>
        public Location LocationOf(int line)
        {
            if (line < 1 || line > Text.Lines.Count) return Location.Create(Path, default, default);
            var span = Text.Lines[line - 1].Span;
            var start = span.Start;
            while (start < span.End && char.IsWhiteSpace(Text[start])) start++;
            var textSpan = TextSpan.FromBounds(start, span.End);
            return Location.Create(Path, textSpan, Text.Lines.GetLinePositionSpan(textSpan));
        }
    }

    internal sealed class PythonSides
    {
        public const string SdkMockSuffixKey = "siphon_drift.sdk_mock_suffix";
        public const string RuntimePythonSuffixKey = "siphon_drift.runtime_python_suffix";
        public const string DefaultSdkMockSuffix = "siphon_sdk/http.py";
        public const string DefaultRuntimePythonSuffix = "python/siphon/http.py";
        public const string SdkLogSuffixKey = "siphon_drift.sdk_log_suffix";
        public const string RuntimeLogSuffixKey = "siphon_drift.runtime_log_suffix";
        public const string DefaultSdkLogSuffix = "siphon_sdk/log.py";
        public const string DefaultRuntimeLogSuffix = "python/siphon/log.py";

        /// <summary>The compared modules with bound types (siphon.NAME, files NAME.py); [PyClass] types of
        /// other modules are not compared.</summary>
        public static readonly string[] Modules = { "siphon.http", "siphon.cache" };

        private PythonSides(string module, PythonFile mock, PythonFile? runtime, PythonFile? logMock, PythonFile? logRuntime, bool isExtension = false)
        {
            IsExtension = isExtension;
            Module = module;
            Mock = mock;
            Runtime = runtime;
            LogMock = logMock;
            LogRuntime = logRuntime;
        }

        /// <summary>The Python module both files stand for.</summary>
        public string Module { get; }

        /// <summary>The SDK's siphon_sdk/log.py (with siphon.http only), or null when it is not an additional file.</summary>
        public PythonFile? LogMock { get; }

        /// <summary>The runtime's siphon/log.py; the log functions are compared only when both log files are present.</summary>
        public PythonFile? LogRuntime { get; }

        public PythonFile Mock { get; }

        /// <summary>Null when the runtime's siphon/http.py is not an additional file: then its
        /// functions and classes are not compared (nothing can be said about them).</summary>
        public PythonFile? Runtime { get; }

        /// <summary>An extension module's test double (compared only when a type is bound into the module).</summary>
        public bool IsExtension { get; }

        /// <summary>One entry per module whose SDK mock is among the additional files (a module
        /// without one is not compared); empty when there is none: the rules then report nothing.</summary>
        public static List<PythonSides> ReadAll(AnalyzerOptions options, CancellationToken cancellationToken)
        {
            var global = options.AnalyzerConfigOptionsProvider.GlobalOptions;
            var httpMock = Suffix(global, SdkMockSuffixKey, DefaultSdkMockSuffix);
            var httpRuntime = Suffix(global, RuntimePythonSuffixKey, DefaultRuntimePythonSuffix);
            var logMockSuffix = Suffix(global, SdkLogSuffixKey, DefaultSdkLogSuffix);
            var logRuntimeSuffix = Suffix(global, RuntimeLogSuffixKey, DefaultRuntimeLogSuffix);

            var result = new List<PythonSides>();
            foreach (var module in Modules)
            {
                var isHttp = module == "siphon.http";
                var file = module.Substring(module.LastIndexOf('.') + 1) + ".py";
                var mockSuffix = Sibling(httpMock, file);
                var runtimeSuffix = Sibling(httpRuntime, file);
                PythonFile? mock = null, runtime = null, logMock = null, logRuntime = null;
                foreach (var additional in options.AdditionalFiles)
                {
                    var path = additional.Path.Replace('\\', '/');
                    if (mock is null && EndsWithSegment(path, mockSuffix)) mock = Read(additional, mockSuffix, cancellationToken);
                    else if (runtime is null && EndsWithSegment(path, runtimeSuffix)) runtime = Read(additional, runtimeSuffix, cancellationToken);
                    else if (isHttp && logMock is null && EndsWithSegment(path, logMockSuffix)) logMock = Read(additional, logMockSuffix, cancellationToken);
                    else if (isHttp && logRuntime is null && EndsWithSegment(path, logRuntimeSuffix)) logRuntime = Read(additional, logRuntimeSuffix, cancellationToken);
                }
                if (mock is not null) result.Add(new PythonSides(module, mock, runtime, logMock, logRuntime));
            }
            AddExtensionDoubles(options, result, cancellationToken);
            return result;
        }

        // Every other .py additional file, for each module (outside siphon) that its last path
        // segments spell; read once, shared by those candidates.
        private static void AddExtensionDoubles(AnalyzerOptions options, List<PythonSides> result, CancellationToken cancellationToken)
        {
            var claimed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var sides in result)
                foreach (var f in new[] { sides.Mock, sides.Runtime, sides.LogMock, sides.LogRuntime })
                    if (f is not null) claimed.Add(f.Path);
            foreach (var additional in options.AdditionalFiles)
            {
                var path = additional.Path.Replace('\\', '/');
                if (!path.EndsWith(".py", StringComparison.Ordinal) || claimed.Contains(additional.Path)) continue;
                var segments = path.Substring(0, path.Length - 3).Split('/');
                PythonFile? file = null;
                for (var n = 1; n <= segments.Length; n++)
                {
                    var last = new string[n];
                    Array.Copy(segments, segments.Length - n, last, 0, n);
                    if (!Array.TrueForAll(last, IsIdentifier)) break;
                    var module = string.Join(".", last);
                    if (module == "siphon" || module.StartsWith("siphon.", StringComparison.Ordinal)) continue;
                    file ??= Read(additional, "", cancellationToken); // parsed once; each candidate names it by its own module path
                    if (file is null) break;
                    result.Add(new PythonSides(module, file with { DisplayName = string.Join("/", last) + ".py" }, null, null, null, isExtension: true));
                }
            }
        }

        private static bool IsIdentifier(string segment)
        {
            if (segment.Length == 0 || segment == "__init__" || !(char.IsLetter(segment[0]) || segment[0] == '_')) return false;
            foreach (var c in segment)
                if (!(char.IsLetterOrDigit(c) || c == '_')) return false;
            return true;
        }

        /// <summary>The http file's suffix with its file name replaced: siphon_sdk/http.py → siphon_sdk/cache.py.</summary>
        private static string Sibling(string httpSuffix, string file)
        {
            if (file == "http.py") return httpSuffix;
            var slash = httpSuffix.LastIndexOf('/');
            return slash < 0 ? file : httpSuffix.Substring(0, slash + 1) + file;
        }

        private static string Suffix(AnalyzerConfigOptions options, string key, string fallback) =>
            options.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim().Replace('\\', '/').TrimStart('/') : fallback;

        private static bool EndsWithSegment(string path, string suffix) =>
            path.EndsWith(suffix, StringComparison.Ordinal)
            && (path.Length == suffix.Length || path[path.Length - suffix.Length - 1] == '/');

        private static PythonFile? Read(AdditionalText file, string displayName, CancellationToken cancellationToken)
        {
            var text = file.GetText(cancellationToken);
            return text is null ? null : new PythonFile(file.Path, displayName, text, PythonReader.Read(text.ToString()));
        }
    }
}
