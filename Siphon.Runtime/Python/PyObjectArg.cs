namespace Siphon.Runtime.Python;

/// <summary>Any Python object passed to a bound method, borrowed for the duration of the call only
/// (never stored: the thunk's caller owns it). Annotated as <c>object</c> in stubs.</summary>
public readonly struct PyObjectArg(nint handle)
{
    public nint Handle { get; } = handle;
    public bool IsNone => Handle == 0 || PyConvert.IsNone(Handle);
}
