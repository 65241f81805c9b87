namespace Siphon.Analyzers { internal static class Placeholder { } }
