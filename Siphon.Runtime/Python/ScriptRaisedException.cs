namespace Siphon.Runtime.Python;

/// <summary>The script's own code raised while the host ran it outside a request (loading it, or a
/// lifecycle hook): the formatted traceback and, when a frame of the script is in it, its
/// 'file:line'. Holds no Python reference.</summary>
internal sealed class ScriptRaisedException(string traceback, string? location)
    : Exception(traceback.TrimEnd().Split('\n')[^1])
{
    public string Traceback { get; } = traceback.TrimEnd();
    public string? Location { get; } = location;
}
