// The C API imports only the bound types use (BoundObject): kept beside them, as a part of the one
// CApi class.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Siphon.Runtime.Python;

internal static unsafe partial class CApi
{
    // --- garbage collector (types with cached properties are GC-tracked) ---
    [LibraryImport(Library)] public static partial void PyObject_GC_UnTrack(nint o);

    // Py_IncRef without the GC-mode transition, for a cached getter's hit path, where the
    // transition is a measurable part of the read (bench/BindingCost). Safe for this one function:
    // it never blocks, never calls back into .NET and never runs Python code (Py_DecRef can, so it
    // keeps the transition).
    [LibraryImport(Library, EntryPoint = "Py_IncRef"), SuppressGCTransition]
    public static partial void Py_IncRefNoTransition(nint o);
}
