// The CPython C API as this host uses it. Raw imports only: callers own the reference rules.
// Each import's comment says what it does with references: [new] it returns a new reference the
// caller must drop (PyOwned.Adopt/Checked), [borrowed] a reference the caller must not drop
// (PyBorrowed), [steals] it takes over an argument's reference; "no reference" where the return
// is not an object. Arguments not marked are borrowed. A -1 or NULL return is a raised error:
// check it (PyErrors.ThrowIfMinusOne/ThrowIfNull, PyOwned.Checked, the checked helpers in
// PyObjects.cs). Only what the host calls is imported.
// Several C API names are macros; their function forms are used (Py_IncRef, Py_DecRef, ...).
using System.Runtime.InteropServices;

namespace Siphon.Runtime.Python;

// What Py_NewInterpreterFromConfig returns.
[StructLayout(LayoutKind.Sequential)]
internal struct PyStatus
{
    public int Type; // 0 ok, 1 error, 2 exit
    public nint Func;
    public nint ErrMsg;
    public int ExitCode;
}

// PyInterpreterConfig (3.12+; 3.13 is the only version this host creates sub-interpreters on).
// Layout measured from the 3.13.0 headers with a tiny C program (sizeof 28, offsetof: 0, 4, 8,
// 12, 16, 20, 24 in this order).
[StructLayout(LayoutKind.Sequential)]
internal struct PyInterpreterConfig
{
    public const int OwnGil = 2; // PyInterpreterConfig_OWN_GIL
    public int UseMainObmalloc;
    public int AllowFork;
    public int AllowExec;
    public int AllowThreads;
    public int AllowDaemonThreads;
    public int CheckMultiInterpExtensions;
    public int Gil;
}

internal static unsafe partial class CApi
{
    public const string Library = "siphon-libpython";

    // --- lifecycle (the engine itself is started and stopped by pythonnet: PythonRuntime) ---
    [LibraryImport(Library)] public static partial nint Py_GetVersion(); // no reference: a static C string

    // --- threads and the GIL ---
    [LibraryImport(Library)] public static partial void PyEval_RestoreThread(nint tstate); // no reference
    [LibraryImport(Library)] public static partial nint PyEval_SaveThread(); // no reference: the thread state stays the runtime's
    [LibraryImport(Library)] public static partial void PyThreadState_Delete(nint tstate); // no reference (a state not current; after PyThreadState_Clear)
    [LibraryImport(Library)] public static partial int PyGILState_Check(); // no reference
    [LibraryImport(Library)] public static partial nint PyInterpreterState_Get(); // no reference: the runtime owns the state
    [LibraryImport(Library)] public static partial nint PyInterpreterState_Main(); // no reference: the runtime owns the state
    [LibraryImport(Library)] public static partial nint PyThreadState_New(nint interp); // no reference: the caller clears and deletes it
    [LibraryImport(Library)] public static partial void PyThreadState_Clear(nint tstate); // no reference (drops the state's own)
    [LibraryImport(Library)] public static partial void PyThreadState_DeleteCurrent(); // no reference
    [LibraryImport(Library)] public static partial PyStatus Py_NewInterpreterFromConfig(nint* tstate, PyInterpreterConfig* config); // no reference; 3.12+
    [LibraryImport(Library)] public static partial void Py_EndInterpreter(nint tstate); // no reference

    // --- references ---
    [LibraryImport(Library)] public static partial void Py_IncRef(nint o); // adds one reference to o
    [LibraryImport(Library)] public static partial void Py_DecRef(nint o); // drops one reference to o

    // --- errors ---
    [LibraryImport(Library)] public static partial nint PyErr_Occurred(); // [borrowed]
    [LibraryImport(Library)] public static partial void PyErr_Fetch(nint* type, nint* value, nint* tb); // [new] x3 (each may be NULL)
    [LibraryImport(Library)] public static partial void PyErr_NormalizeException(nint* type, nint* value, nint* tb); // replaces the three in place: still [new], the caller's
    [LibraryImport(Library)] public static partial void PyErr_Clear(); // drops the pending error's references
    [LibraryImport(Library)] public static partial void PyErr_SetObject(nint type, nint value); // [borrowed] both (it takes its own)
    [LibraryImport(Library)] public static partial int PyException_SetTraceback(nint ex, nint tb); // [borrowed] tb; -1 only when tb is not a traceback or None

    // --- objects ---
    [LibraryImport(Library)] public static partial nint PyObject_GetAttrString(nint o, byte* name); // [new]
    [LibraryImport(Library)] public static partial nint PyObject_GetAttr(nint o, nint name); // [new]; name [borrowed]
    [LibraryImport(Library)] public static partial int PyObject_SetAttr(nint o, nint name, nint value); // [borrowed] name, value; -1 on error
    [LibraryImport(Library)] public static partial nint PyUnicode_InternFromString(byte* utf8); // [new]: the interpreter's one interned copy
    [LibraryImport(Library)] public static partial nint PyGC_Collect(); // a full collection; the number of objects freed (errors are reported as unraisable)
    [LibraryImport(Library)] public static partial int PyObject_SetAttrString(nint o, byte* name, nint value); // [borrowed] value; -1 on error: check it (PyObjects.SetAttr)
    [LibraryImport(Library)] public static partial nint PyObject_Str(nint o); // [new]
    [LibraryImport(Library)] public static partial int PyObject_IsTrue(nint o); // no reference; -1 on error
    [LibraryImport(Library)] public static partial int PyObject_IsInstance(nint o, nint cls); // no reference; -1 on error
    // The calls borrow their arguments.
    [LibraryImport(Library)] public static partial nint PyObject_CallNoArgs(nint callable); // [new]
    [LibraryImport(Library)] public static partial nint PyObject_CallOneArg(nint callable, nint arg); // [new]
    [LibraryImport(Library)] public static partial nint PyObject_Vectorcall(nint callable, nint* args, nuint nargsf, nint kwnames); // [new]

    // --- types ---
    [LibraryImport(Library)] public static partial nint PyType_FromSpec(nint spec); // [new]
    [LibraryImport(Library)] public static partial nint PyType_GenericAlloc(nint type, nint nitems); // [new]
    [LibraryImport(Library)] public static partial nint PyType_GetSlot(nint type, int slot); // no reference: a slot's function pointer
    [LibraryImport(Library)] public static partial ulong PyType_GetFlags(nint type); // no reference
    [LibraryImport(Library)] public static partial int PyType_IsSubtype(nint a, nint b); // no reference

    // --- str / bytes / numbers ---
    [LibraryImport(Library)] public static partial nint PyUnicode_FromStringAndSize(byte* utf8, nint size); // [new]
    [LibraryImport(Library)] public static partial byte* PyUnicode_AsUTF8AndSize(nint o, nint* size); // no reference: a buffer cached in o, valid while o lives
    [LibraryImport(Library)] public static partial nint PyBytes_FromStringAndSize(byte* data, nint size); // [new]
    [LibraryImport(Library)] public static partial int PyBytes_AsStringAndSize(nint o, byte** buffer, nint* length); // no reference: o's own buffer, valid while o lives; -1 on error
    [LibraryImport(Library)] public static partial byte* PyByteArray_AsString(nint o); // no reference: o's own buffer, valid until o changes
    [LibraryImport(Library)] public static partial nint PyByteArray_Size(nint o); // no reference
    [LibraryImport(Library)] public static partial nint PyLong_FromLongLong(long v); // [new]
    [LibraryImport(Library)] public static partial long PyLong_AsLongLong(nint o); // no reference; -1 and an error on overflow
    [LibraryImport(Library)] public static partial nint PyFloat_FromDouble(double v); // [new]
    [LibraryImport(Library)] public static partial double PyFloat_AsDouble(nint o); // no reference

    // --- containers ---
    [LibraryImport(Library)] public static partial nint PyDict_New(); // [new]
    [LibraryImport(Library)] public static partial int PyDict_SetItem(nint d, nint k, nint v); // [borrowed] k and v; -1 on error: check it
    [LibraryImport(Library)] public static partial int PyDict_SetItemString(nint d, byte* k, nint v); // [borrowed] v; -1 on error: check it
    [LibraryImport(Library)] public static partial int PyDict_Next(nint d, nint* pos, nint* key, nint* value); // [borrowed] key and value
    [LibraryImport(Library)] public static partial nint PyDict_Size(nint d); // no reference
    [LibraryImport(Library)] public static partial nint PyList_New(nint size); // [new]
    [LibraryImport(Library)] public static partial int PyList_SetItem(nint l, nint i, nint item); // [steals] item, even when it fails (-1): check it
    [LibraryImport(Library)] public static partial nint PyList_Size(nint l); // no reference
    [LibraryImport(Library)] public static partial nint PyList_GetItem(nint l, nint i); // [borrowed]
    [LibraryImport(Library)] public static partial nint PyTuple_New(nint size); // [new]
    [LibraryImport(Library)] public static partial int PyTuple_SetItem(nint t, nint i, nint item); // [steals] item, even when it fails (-1): check it (PyObjects.TupleOf, SetTupleItem)
    [LibraryImport(Library)] public static partial nint PyTuple_Size(nint t); // no reference
    [LibraryImport(Library)] public static partial nint PyTuple_GetItem(nint t, nint i); // [borrowed]

    // --- modules and code ---
    [LibraryImport(Library)] public static partial nint PyImport_ImportModule(byte* name); // [new]
    [LibraryImport(Library)] public static partial nint PyImport_GetModuleDict(); // [borrowed]
    [LibraryImport(Library)] public static partial nint PyModule_New(byte* name); // [new]
    [LibraryImport(Library)] public static partial nint PyEval_GetBuiltins(); // [borrowed]
    [LibraryImport(Library)] public static partial nint Py_CompileStringExFlags(byte* source, byte* filename, int start, nint flags, int optimize); // [new]
    [LibraryImport(Library)] public static partial nint PyEval_EvalCode(nint code, nint globals, nint locals); // [new]; [borrowed] arguments

    // --- native functions ---
    [LibraryImport(Library)] public static partial nint PyCapsule_New(nint pointer, byte* name, nint destructor); // [new]
    [LibraryImport(Library)] public static partial nint PyCapsule_GetPointer(nint capsule, byte* name); // no reference: the C pointer stored
    [LibraryImport(Library)] public static partial nint PyCFunction_NewEx(nint methodDef, nint self, nint module); // [new]; [borrowed] self and module (it takes its own)

    public const int Py_file_input = 257, Py_eval_input = 258;

    // Object header: ob_refcnt then ob_type (non-debug, GIL builds of 3.11-3.13). [borrowed]
    public static nint Py_TYPE(nint o) => *(nint*)(o + sizeof(nint));

    public const ulong Py_TPFLAGS_LONG_SUBCLASS = 1UL << 24, Py_TPFLAGS_LIST_SUBCLASS = 1UL << 25,
        Py_TPFLAGS_TUPLE_SUBCLASS = 1UL << 26, Py_TPFLAGS_BYTES_SUBCLASS = 1UL << 27,
        Py_TPFLAGS_UNICODE_SUBCLASS = 1UL << 28, Py_TPFLAGS_DICT_SUBCLASS = 1UL << 29;

    public static bool HasTypeFlag(nint o, ulong flag) => (PyType_GetFlags(Py_TYPE(o)) & flag) != 0;
}
