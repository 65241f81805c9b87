// Which worker a log line is about, for the formatters (text: `category[w1]`, json: "worker": 1).
// In processes mode a worker process's lines are all its own: the supervisor's number for it
// (SIPHON_WORKER_INDEX). In interpreters mode one process holds every worker, so a line names the
// worker whose thread logged it (its loop thread and its sync-pool threads), or the worker a
// request was given to (the access log and the transport's lines about it, logged from Kestrel
// threads inside a For scope); the process's own lines (start-up, reload, cache connection) name
// none. Thread-static, not AsyncLocal: every log call formats its line synchronously on the
// calling thread, and a request pays nothing unless it logs.
namespace Siphon.Runtime.Telemetry;

internal static class WorkerLog
{
    private static int s_offset;
    private static bool s_manyInProcess;

    [ThreadStatic] private static int t_worker; // worker number + 1; 0: this thread is none's

    /// <summary>Called once at start-up: <paramref name="processWorker"/> is the supervisor's number for
    /// this process (processes mode) or null; <paramref name="manyInProcess"/> is interpreters mode.</summary>
    public static void Configure(int? processWorker, bool manyInProcess)
    {
        s_offset = processWorker ?? 0;
        s_manyInProcess = manyInProcess;
    }

    /// <summary>The worker the current line is about; null for the process's own lines in interpreters mode.</summary>
    public static int? Current => t_worker != 0 ? t_worker - 1 : s_manyInProcess ? null : s_offset;

    /// <summary>This thread works for the worker with in-process index <paramref name="index"/> from now on.</summary>
    public static void SetThread(int index) => t_worker = s_offset + index + 1;

    /// <summary>Until disposed (on this thread, with no await in between), lines are about the worker
    /// with in-process index <paramref name="index"/>; null leaves the thread's worker as it is.</summary>
    public static Scope For(int? index)
    {
        var previous = t_worker;
        if (index is { } i) t_worker = s_offset + i + 1;
        return new Scope(previous);
    }

    public readonly struct Scope(int previous) : IDisposable
    {
        public void Dispose() => t_worker = previous;
    }
}
