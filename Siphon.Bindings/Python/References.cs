// Reference ownership in the type system. PyBorrowed: a reference someone else owns; never
// dropped. PyOwned: a new reference owned by one scope (PyOwned.Adopt / Checked take it over),
// dropped by `using`; Steal() hands it on.
// Both are ref structs, so neither can outlive the GIL scope it was made in. PyRef is the
// long-lived owner for fields; its finalizer never touches Python (it queues the decref).

namespace Siphon.Runtime.Python;

public readonly ref struct PyBorrowed(nint handle)
{
    public readonly nint Handle = handle;
    public bool IsNull => Handle == 0;
    /// <summary>Takes a new reference of one's own.</summary>
    public PyOwned NewReference() { CApi.Py_IncRef(Handle); return PyOwned.Adopt(Handle); }
}

public ref struct PyOwned
{
    private nint _handle;
    private PyOwned(nint handle) => _handle = handle;

    /// <summary>Takes over a new reference (from an API documented [new]). NULL is allowed. (Named
    /// apart from the instance <see cref="Steal()"/>, which does the opposite: gives the reference away.)</summary>
    public static PyOwned Adopt(nint handle) => new(handle);

    /// <summary>Takes over a new reference, turning NULL (a raised Python error) into a PythonException.</summary>
    public static PyOwned Checked(nint handle) => new(PyErrors.ThrowIfNull(handle));

    public readonly nint Handle => _handle;
    public readonly bool IsNull => _handle == 0;
    public readonly PyBorrowed Borrow() => new(_handle);

    /// <summary>Hands the reference on (e.g. to a stealing API or a return value); this owner forgets it.</summary>
    public nint Steal() { var h = _handle; _handle = 0; return h; }

    public PyRef ToRef() => new(Steal());

    public void Dispose()
    {
        if (_handle != 0) { CApi.Py_DecRef(_handle); _handle = 0; }
    }
}

/// <summary>A long-lived owned reference (a handler, a module, a bound method). It remembers the
/// interpreter it was made in, so a finalizer's deferred decref is run by that interpreter only.</summary>
public sealed class PyRef : IDisposable
{
    private readonly PyInterpreter _interpreter;
    private nint _handle;

    /// <summary>Takes over a new reference. The GIL of the object's interpreter is held.</summary>
    internal PyRef(nint stolenNewReference)
    {
        _handle = stolenNewReference;
        _interpreter = PyInterpreter.Current;
    }

    public nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(PyRef));
    public PyBorrowed Borrow() => new(Handle);

    /// <summary>Drops the reference. The caller holds the GIL of the interpreter it was made in.</summary>
    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, 0);
        if (h != 0) CApi.Py_DecRef(h);
        GC.SuppressFinalize(this);
    }

    // Finalizers run on the GC's thread, which must never take the GIL: defer the decref.
    ~PyRef()
    {
        var h = Interlocked.Exchange(ref _handle, 0);
        if (h != 0) _interpreter.DeferDecRef(h);
    }

    /// <summary>Drops references of the current interpreter queued by finalizers. The caller holds its GIL.</summary>
    public static int DrainPending() => PyInterpreter.Current.DrainPending();
}
