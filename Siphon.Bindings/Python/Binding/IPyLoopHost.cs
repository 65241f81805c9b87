namespace Siphon.Runtime.Python.Binding;

/// <summary>A thread that owns an interpreter's event loop (the worker).</summary>
public interface IPyLoopHost
{
    /// <summary>Queues work for the loop thread. Never blocks, never takes the GIL.</summary>
    void Post(IPyWork work);

    /// <summary>A new future on this host's loop. Loop thread, GIL held.</summary>
    nint CreateFuture();
}
