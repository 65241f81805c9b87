using System.Reflection;

namespace Siphon.Runtime;

/// <summary>The version of this build (Directory.Build.props' &lt;Version&gt;), as <c>siphon --version</c>
/// prints it. A leaf any layer may read (the metrics' meter names it too).</summary>
public static class ProductVersion
{
    public static string Current { get; } =
        typeof(ProductVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
