namespace Siphon.Runtime.Telemetry;

/// <summary>What the per-worker gauges read from a worker, each read when scraped (any thread).
/// Telemetry defines it and the hosting layer's Worker implements it, so Telemetry never reaches
/// up into Hosting.</summary>
public interface IWorkerGauges
{
    /// <summary>The <c>worker</c> label of this worker's series.</summary>
    KeyValuePair<string, object?> MetricsTag { get; }

    /// <summary>Work items queued on the worker's inbox, not yet run by its loop.</summary>
    int InboxDepth { get; }

    /// <summary>Sync pool threads running a handler.</summary>
    int SyncBusy { get; }

    /// <summary>Requests handed to the worker and not yet answered.</summary>
    int Outstanding { get; }
}
