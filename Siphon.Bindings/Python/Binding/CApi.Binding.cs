// The C API imports only the bound types use (BoundObject), kept beside them as a part of the one
// CApi class.
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Siphon.Runtime.Python;

internal static unsafe partial class CApi
{
    // Types with cached properties are GC-tracked: their dealloc untracks first.
    [LibraryImport(Library)] public static partial void PyObject_GC_UnTrack(nint o); // no reference: takes o off the collector's lists

    // Py_IncRef without the GC-mode transition, for a cached getter's hit path: without it a cached
    // read went from ~35 to ~19 ns (bench/BindingCost, 3.11, a loaded machine). Safe for this function
    // only: it never blocks, never calls back into .NET and never runs Python code (Py_DecRef can,
    // so it keeps the transition).
    [LibraryImport(Library, EntryPoint = "Py_IncRef"), SuppressGCTransition]
    public static partial void Py_IncRefNoTransition(nint o); // adds one reference to o
}
