// A [PyConstructor] with defaults beside an unattributed overload.
using System;
using System.Collections.Generic;
using Siphon.Bindings;

namespace Fixtures.Constructor;

/// <summary>An HTTP response.</summary>
[PyClass("Response", Module = "siphon.http")]
public partial class Response
{
    /// <summary>Builds a response; <paramref name="body"/> may be bytes or str.</summary>
    [PyConstructor]
    public Response(int status = 200, IReadOnlyDictionary<string, string>? headers = null, ReadOnlyMemory<byte>? body = null,
        [PyKeywordOnly] string reason = "OK")
    {
        Status = status;
        Headers = headers ?? new Dictionary<string, string>();
        Body = body ?? ReadOnlyMemory<byte>.Empty;
        Reason = reason;
    }

    public Response() : this(204)
    {
    }

    /// <summary>The status code.</summary>
    [PyProperty] public int Status { get; }

    [PyProperty] public IReadOnlyDictionary<string, string> Headers { get; }

    [PyProperty] public ReadOnlyMemory<byte> Body { get; }

    [PyProperty] public string Reason { get; }

    /// <summary>Raises for a status of 400 or more, else returns this response.</summary>
    [PyMethod]
    public Response RaiseForStatus() => Status >= 400 ? throw new InvalidOperationException($"status {Status}") : this;
}
