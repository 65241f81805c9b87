namespace Siphon.Runtime.Tests.EndToEnd;

/// <summary>Tests that load the machine hard (the soak) or time what they measure against a budget
/// (the sync pool's wall-clock bounds, slow-client latencies) run in this collection: after the
/// parallel ones, one at a time, so neither skews the other on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    public const string Name = "alone";
}
