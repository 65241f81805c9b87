using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Siphon.Bindings.Generator.Model
{
    /// <summary>A source location as plain values; <see cref="Location"/> objects hold syntax trees
    /// and would keep every compilation alive and defeat caching. Rebuilt at report time.</summary>
    internal sealed record LocationInfo(
        string FilePath,
        int Start,
        int Length,
        int StartLine,
        int StartCharacter,
        int EndLine,
        int EndCharacter)
    {
        public static LocationInfo? From(Location? location)
        {
            if (location is null || location.SourceTree is null) return null;
            var lines = location.GetLineSpan();
            return new LocationInfo(
                location.SourceTree.FilePath,
                location.SourceSpan.Start,
                location.SourceSpan.Length,
                lines.StartLinePosition.Line,
                lines.StartLinePosition.Character,
                lines.EndLinePosition.Line,
                lines.EndLinePosition.Character);
        }

        public Location ToLocation() => Location.Create(
            FilePath,
            new TextSpan(Start, Length),
            new LinePositionSpan(new LinePosition(StartLine, StartCharacter), new LinePosition(EndLine, EndCharacter)));
    }

    /// <summary>A diagnostic to report: its id (see BindingGenerator.Diagnostics), where, and the message arguments.</summary>
    internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> MessageArgs);

    /// <summary>What the parse step yields for one [PyClass] type: the model (null when the type
    /// itself cannot be bound) and the diagnostics found on the way.</summary>
    internal sealed record ParseResult(TypeSpec? Type, EquatableArray<DiagnosticInfo> Diagnostics);
}
