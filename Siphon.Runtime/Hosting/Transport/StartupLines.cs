namespace Siphon.Runtime.Hosting.Transport;

/// <summary>Lines the host prints on standard output at start-up, for whoever started it.</summary>
internal static class StartupLines
{
    /// <summary>Printed once, after the listening lines, when every listener is bound and every
    /// worker (thread, interpreter or process) has loaded the script: scripts and tests wait for it
    /// rather than for the first listening line.</summary>
    public const string Ready = "siphon: ready";
}
