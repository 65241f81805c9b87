// What a live reload changed in a process-wide table (named clients, caches): undone when the new
// version is not taken, released (the replaced objects disposed) once the old version has drained.
namespace Siphon.Runtime.Config;

public sealed class ConfigSwap(Action undo, Action release)
{
    private int _done;

    /// <summary>No change at all.</summary>
    public static ConfigSwap None => new(() => { }, () => { });

    /// <summary>Puts the previous table back and disposes what the swap created.</summary>
    public void Undo()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) undo();
    }

    /// <summary>Disposes what the new table no longer uses.</summary>
    public void Release()
    {
        if (Interlocked.Exchange(ref _done, 1) == 0) release();
    }
}
