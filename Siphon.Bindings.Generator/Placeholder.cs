namespace Siphon.Bindings.Generator { internal static class Placeholder { } }
