// Checked operations on raw objects, and the one crossing to pythonnet's PyObject.
//
// The C API calls that take a reference over or report failure with -1 (PyTuple_SetItem steals its
// item even when it fails; PyObject_SetAttrString returns -1) are easy to get half right at a call
// site, so the host makes them here once: each throws the raised Python error as a PythonException
// and leaves no reference behind.
//
// The crossing from a raw pointer to pythonnet's PyObject is for the engine boundary only (an
// encoder handing a generated-type instance to pythonnet). pythonnet has no public constructor for
// it; its internal PyObject(IntPtr), which takes over a new reference, is reached through
// [UnsafeAccessor] (~65 ns) and checked once at start-up, so a pythonnet that changed it fails
// there with a clear message rather than on a request. Main interpreter only: pythonnet's
// finalizer queue drops its wrappers under the main interpreter's GIL.
using System.Runtime.CompilerServices;
using PyObject = global::Python.Runtime.PyObject;

// PyObject.Handle is marked obsolete in pythonnet 3 (it prefers its own reference types); a raw
// pointer is exactly what the engine boundary needs here.
#pragma warning disable CS0612

namespace Siphon.Runtime.Python;

internal static unsafe class PyObjects
{
    /// <summary>import name: a new reference to the module. GIL held.</summary>
    public static PyOwned Import(string name) =>
        PyOwned.Checked(CApi.PyImport_ImportModule((byte*)Utf8Z.Of(name)));

    /// <summary>o.name: a new reference. GIL held.</summary>
    public static PyOwned GetAttr(nint o, string name)
    {
        using var n = Name(name);
        return PyOwned.Checked(CApi.PyObject_GetAttr(o, n.Handle));
    }

    /// <summary>The interned str for an attribute name (a new reference). PyObject_GetAttrString makes
    /// a fresh str on every call, and CPython's type attribute cache keeps the last one looked up in
    /// each of its slots, picked by the str's address: fresh names scattered over the heap pinned
    /// pymalloc arenas across live reloads (3.13: +16 MiB RSS per 100 reloads). An interned name is
    /// one object, so the cache holds it and nothing else. GIL held.</summary>
    public static PyOwned Name(string name) => PyOwned.Checked(CApi.PyUnicode_InternFromString((byte*)Utf8Z.Of(name)));

    /// <summary>Whether o.name() returned True (asyncio's done(), cancelled(), ...). GIL held.</summary>
    public static bool CallIsTrue(nint o, string name)
    {
        using var method = GetAttr(o, name);
        using var r = PyOwned.Checked(CApi.PyObject_CallNoArgs(method.Handle));
        return r.Handle == PyBuiltins.True;
    }

    /// <summary>o.name(*args), arguments borrowed: a new reference. GIL held.</summary>
    public static PyOwned CallMethod(nint o, string name, params ReadOnlySpan<nint> args)
    {
        using var method = GetAttr(o, name);
        return Call(method.Handle, args);
    }

    /// <summary>callable(*args), arguments borrowed: a new reference, or a PythonException. GIL held.</summary>
    public static PyOwned Call(nint callable, params ReadOnlySpan<nint> args) => PyOwned.Checked(CallRaw(callable, args));

    /// <summary>callable(*args), arguments borrowed: a new reference, or 0 with the Python error
    /// left set, for the callers that report the error themselves (a handler that raised). GIL held.</summary>
    public static nint CallRaw(nint callable, params ReadOnlySpan<nint> args)
    {
        fixed (nint* p = args) return CApi.PyObject_Vectorcall(callable, p, (nuint)args.Length, 0);
    }

    /// <summary>tuple[i], borrowed, for a tuple a native callable was given; an IndexError (as a
    /// PythonException) when it is shorter. GIL held.</summary>
    public static nint TupleItem(nint tuple, int i) => PyErrors.ThrowIfNull(CApi.PyTuple_GetItem(tuple, i));

    /// <summary>Items of a tuple or list, borrowed (valid while the sequence lives). GIL held.</summary>
    public static nint[] Items(nint sequence)
    {
        var isTuple = CApi.HasTypeFlag(sequence, CApi.Py_TPFLAGS_TUPLE_SUBCLASS);
        var n = isTuple ? CApi.PyTuple_Size(sequence) : CApi.PyList_Size(sequence);
        if (n < 0) throw PyErrors.Fetch();
        var items = new nint[n];
        for (nint i = 0; i < n; i++)
            items[i] = PyErrors.ThrowIfNull(isTuple ? CApi.PyTuple_GetItem(sequence, i) : CApi.PyList_GetItem(sequence, i));
        return items;
    }

    /// <summary>gc.collect(): a full collection of this interpreter's cyclic garbage. GIL held.</summary>
    public static void CollectGarbage() => CApi.PyGC_Collect();

    /// <summary>type(o), borrowed. GIL held.</summary>
    public static nint TypeOf(nint o) => CApi.Py_TYPE(o);

    /// <summary>Whether o has the attribute (a lookup that raises counts as no). GIL held.</summary>
    public static bool HasAttr(nint o, string name)
    {
        var a = GetAttrOrNull(o, name);
        if (a == 0) { CApi.PyErr_Clear(); return false; }
        CApi.Py_DecRef(a);
        return true;
    }

    /// <summary>o.name as a new reference, or 0 with the Python error set (never throws): for the
    /// paths that report errors themselves. GIL held.</summary>
    public static nint GetAttrOrNull(nint o, string name)
    {
        var n = CApi.PyUnicode_InternFromString((byte*)Utf8Z.Of(name));
        if (n == 0) return 0;
        var a = CApi.PyObject_GetAttr(o, n);
        CApi.Py_DecRef(n);
        return a;
    }

    /// <summary>isinstance(o, cls); a check that raises is a PythonException. GIL held.</summary>
    public static bool IsInstance(nint o, nint cls) => PyErrors.ThrowIfMinusOne(CApi.PyObject_IsInstance(o, cls)) == 1;

    /// <summary>bool(o); a __bool__ that raises is a PythonException. GIL held.</summary>
    public static bool IsTrue(nint o) => PyErrors.ThrowIfMinusOne(CApi.PyObject_IsTrue(o)) == 1;

    /// <summary>A new, empty module named <paramref name="name"/> (a new reference). GIL held.</summary>
    public static PyOwned NewModule(string name) => PyOwned.Checked(CApi.PyModule_New((byte*)Utf8Z.Of(name)));

    /// <summary>sys.modules[name] = module (<paramref name="module"/> borrowed), so that import finds it. GIL held.</summary>
    public static void AddToSysModules(string name, nint module) =>
        PyErrors.ThrowIfMinusOne(CApi.PyDict_SetItemString(CApi.PyImport_GetModuleDict(), (byte*)Utf8Z.Of(name), module));

    /// <summary>d[key] = value for a dict <paramref name="d"/> (<paramref name="value"/> borrowed). GIL held.</summary>
    public static void SetItem(nint d, string key, nint value) =>
        PyErrors.ThrowIfMinusOne(CApi.PyDict_SetItemString(d, (byte*)Utf8Z.Of(key), value));

    /// <summary>o.name = value (<paramref name="value"/> borrowed). GIL held.</summary>
    public static void SetAttr(nint o, string name, nint value)
    {
        using var n = Name(name);
        PyErrors.ThrowIfMinusOne(CApi.PyObject_SetAttr(o, n.Handle, value));
    }

    /// <summary>A new tuple of <paramref name="stolenItems"/>: new references it takes over, all of
    /// them dropped if it fails. GIL held.</summary>
    public static PyOwned TupleOf(params ReadOnlySpan<nint> stolenItems)
    {
        var tuple = CApi.PyTuple_New(stolenItems.Length);
        if (tuple == 0)
        {
            foreach (var item in stolenItems) CApi.Py_DecRef(item);
            throw PyErrors.Fetch();
        }
        using var owner = PyOwned.Adopt(tuple);
        for (var i = 0; i < stolenItems.Length; i++)
        {
            if (CApi.PyTuple_SetItem(tuple, i, stolenItems[i]) == 0) continue;
            // The failed call dropped its item; the ones after it are still ours.
            foreach (var rest in stolenItems[(i + 1)..]) CApi.Py_DecRef(rest);
            throw PyErrors.Fetch();
        }
        return PyOwned.Adopt(owner.Steal());
    }

    /// <summary>tuple[i] = item for a tuple being filled, taking over <paramref name="stolenItem"/>
    /// (dropped if it fails). GIL held.</summary>
    public static void SetTupleItem(nint tuple, nint i, nint stolenItem) =>
        PyErrors.ThrowIfMinusOne(CApi.PyTuple_SetItem(tuple, i, stolenItem));

    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    private static extern PyObject Create(nint stolenNewReference);

    /// <summary>Hands a new reference over to a pythonnet PyObject (which drops it when disposed or finalised).</summary>
    public static PyObject FromStolen(nint newReference) =>
        newReference != 0 ? Create(newReference) : throw new ArgumentNullException(nameof(newReference));

    /// <summary>At start-up, GIL held: the accessor exists and takes over the reference it is given.</summary>
    public static void CheckAccessor()
    {
        var list = PyErrors.ThrowIfNull(CApi.PyList_New(0)); // refcount 1, ours
        try
        {
            CApi.Py_IncRef(list); // the reference the wrapper will own
            PyObject wrapper;
            try { wrapper = Create(list); }
            catch (MissingMethodException e)
            {
                CApi.Py_DecRef(list);
                throw new PythonInitException($"pythonnet's internal PyObject(IntPtr) constructor is gone ({e.Message}): check the pythonnet version (3.2.1 expected)");
            }
            if (wrapper.Handle != list || *(nint*)list != 2)
                throw new PythonInitException($"pythonnet's PyObject(IntPtr) no longer takes over a reference as expected (refcount {*(nint*)list}, expected 2)");
            wrapper.Dispose();
            if (*(nint*)list != 1)
                throw new PythonInitException($"pythonnet's PyObject.Dispose left refcount {*(nint*)list}, expected 1");
        }
        finally { CApi.Py_DecRef(list); }
    }
}
