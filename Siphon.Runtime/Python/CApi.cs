// The CPython C API as this host uses it. Raw imports only: callers own the reference rules.
// Each import's comment says what it returns: [new] a new reference the caller must drop,
// [borrowed] a reference it must not drop, [steals] an argument reference it takes over.
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
    [LibraryImport(Library)] public static partial nint Py_GetVersion();

    // --- threads and the GIL ---
    [LibraryImport(Library)] public static partial nint PyEval_SaveThread();
    [LibraryImport(Library)] public static partial void PyEval_RestoreThread(nint tstate);
    [LibraryImport(Library)] public static partial int PyGILState_Check();
    [LibraryImport(Library)] public static partial nint PyInterpreterState_Get(); // [borrowed]
    [LibraryImport(Library)] public static partial nint PyInterpreterState_Main(); // [borrowed]
    [LibraryImport(Library)] public static partial nint PyThreadState_New(nint interp);
    [LibraryImport(Library)] public static partial void PyThreadState_Clear(nint tstate);
    [LibraryImport(Library)] public static partial void PyThreadState_DeleteCurrent();
    [LibraryImport(Library)] public static partial PyStatus Py_NewInterpreterFromConfig(nint* tstate, PyInterpreterConfig* config); // 3.12+
    [LibraryImport(Library)] public static partial void Py_EndInterpreter(nint tstate);

    // --- references ---
    [LibraryImport(Library)] public static partial void Py_IncRef(nint o);
    [LibraryImport(Library)] public static partial void Py_DecRef(nint o);

    // --- errors ---
    [LibraryImport(Library)] public static partial nint PyErr_Occurred(); // [borrowed]
    [LibraryImport(Library)] public static partial void PyErr_Fetch(nint* type, nint* value, nint* tb); // [new] x3
    [LibraryImport(Library)] public static partial void PyErr_NormalizeException(nint* type, nint* value, nint* tb);
    [LibraryImport(Library)] public static partial void PyErr_Restore(nint type, nint value, nint tb); // [steals] x3
    [LibraryImport(Library)] public static partial void PyErr_Clear();
    [LibraryImport(Library)] public static partial void PyErr_SetObject(nint type, nint value);
    [LibraryImport(Library)] public static partial void PyErr_SetString(nint type, byte* message);
    [LibraryImport(Library)] public static partial int PyException_SetTraceback(nint ex, nint tb);

    // --- objects ---
    [LibraryImport(Library)] public static partial nint PyObject_GetAttrString(nint o, byte* name); // [new]
    [LibraryImport(Library)] public static partial int PyObject_SetAttrString(nint o, byte* name, nint value);
    [LibraryImport(Library)] public static partial nint PyObject_Str(nint o); // [new]
    [LibraryImport(Library)] public static partial nint PyObject_Repr(nint o); // [new]
    [LibraryImport(Library)] public static partial int PyObject_IsTrue(nint o);
    [LibraryImport(Library)] public static partial int PyObject_IsInstance(nint o, nint cls);
    [LibraryImport(Library)] public static partial nint PyObject_Call(nint callable, nint args, nint kwargs); // [new]
    [LibraryImport(Library)] public static partial nint PyObject_CallNoArgs(nint callable); // [new]
    [LibraryImport(Library)] public static partial nint PyObject_CallOneArg(nint callable, nint arg); // [new]
    [LibraryImport(Library)] public static partial nint PyObject_Vectorcall(nint callable, nint* args, nuint nargsf, nint kwnames); // [new]
    [LibraryImport(Library)] public static partial int PyCallable_Check(nint o);
    [LibraryImport(Library)] public static partial nint PyObject_GetIter(nint o); // [new]
    [LibraryImport(Library)] public static partial nint PyIter_Next(nint o); // [new], NULL at end
    [LibraryImport(Library)] public static partial nint PyObject_GenericGetAttr(nint o, nint name); // [new]
    [LibraryImport(Library)] public static partial nint PyObject_GetItem(nint o, nint key); // [new]

    // --- types ---
    [LibraryImport(Library)] public static partial nint PyType_FromSpec(nint spec); // [new]
    [LibraryImport(Library)] public static partial nint PyType_GenericAlloc(nint type, nint nitems); // [new]
    [LibraryImport(Library)] public static partial nint PyType_GetSlot(nint type, int slot);
    [LibraryImport(Library)] public static partial ulong PyType_GetFlags(nint type);
    [LibraryImport(Library)] public static partial int PyType_IsSubtype(nint a, nint b);

    // --- str / bytes / numbers ---
    [LibraryImport(Library)] public static partial nint PyUnicode_FromStringAndSize(byte* utf8, nint size); // [new]
    [LibraryImport(Library)] public static partial byte* PyUnicode_AsUTF8AndSize(nint o, nint* size); // cached in o
    [LibraryImport(Library)] public static partial nint PyUnicode_DecodeUTF16(byte* data, nint size, byte* errors, int* byteorder); // [new]
    [LibraryImport(Library)] public static partial nint PyBytes_FromStringAndSize(byte* data, nint size); // [new]
    [LibraryImport(Library)] public static partial int PyBytes_AsStringAndSize(nint o, byte** buffer, nint* length);
    [LibraryImport(Library)] public static partial byte* PyByteArray_AsString(nint o);
    [LibraryImport(Library)] public static partial nint PyByteArray_Size(nint o);
    [LibraryImport(Library)] public static partial nint PyLong_FromLongLong(long v); // [new]
    [LibraryImport(Library)] public static partial long PyLong_AsLongLong(nint o);
    [LibraryImport(Library)] public static partial nint PyFloat_FromDouble(double v); // [new]
    [LibraryImport(Library)] public static partial double PyFloat_AsDouble(nint o);
    [LibraryImport(Library)] public static partial nint PyBool_FromLong(long v); // [new]

    // --- containers ---
    [LibraryImport(Library)] public static partial nint PyDict_New(); // [new]
    [LibraryImport(Library)] public static partial int PyDict_SetItem(nint d, nint k, nint v);
    [LibraryImport(Library)] public static partial int PyDict_SetItemString(nint d, byte* k, nint v);
    [LibraryImport(Library)] public static partial nint PyDict_GetItemString(nint d, byte* k); // [borrowed]
    [LibraryImport(Library)] public static partial int PyDict_Next(nint d, nint* pos, nint* key, nint* value); // [borrowed] x2
    [LibraryImport(Library)] public static partial nint PyDict_Size(nint d);
    [LibraryImport(Library)] public static partial nint PyList_New(nint size); // [new]
    [LibraryImport(Library)] public static partial int PyList_SetItem(nint l, nint i, nint item); // [steals] item
    [LibraryImport(Library)] public static partial int PyList_Append(nint l, nint item);
    [LibraryImport(Library)] public static partial nint PyList_Size(nint l);
    [LibraryImport(Library)] public static partial nint PyList_GetItem(nint l, nint i); // [borrowed]
    [LibraryImport(Library)] public static partial nint PyTuple_New(nint size); // [new]
    [LibraryImport(Library)] public static partial int PyTuple_SetItem(nint t, nint i, nint item); // [steals] item
    [LibraryImport(Library)] public static partial nint PyTuple_Size(nint t);
    [LibraryImport(Library)] public static partial nint PyTuple_GetItem(nint t, nint i); // [borrowed]

    // --- modules and code ---
    [LibraryImport(Library)] public static partial nint PyImport_ImportModule(byte* name); // [new]
    [LibraryImport(Library)] public static partial nint PyImport_AddModule(byte* name); // [borrowed]
    [LibraryImport(Library)] public static partial nint PyImport_GetModuleDict(); // [borrowed]
    [LibraryImport(Library)] public static partial nint PyModule_New(byte* name); // [new]
    [LibraryImport(Library)] public static partial nint PyModule_GetDict(nint m); // [borrowed]
    [LibraryImport(Library)] public static partial nint PyEval_GetBuiltins(); // [borrowed]
    [LibraryImport(Library)] public static partial nint Py_CompileStringExFlags(byte* source, byte* filename, int start, nint flags, int optimize); // [new]
    [LibraryImport(Library)] public static partial nint PyEval_EvalCode(nint code, nint globals, nint locals); // [new]
    [LibraryImport(Library)] public static partial int PyIter_Send(nint iter, nint arg, nint* result); // result [new]

    [LibraryImport(Library)] public static partial nint PyCapsule_New(nint pointer, byte* name, nint destructor); // [new]
    [LibraryImport(Library)] public static partial nint PyCapsule_GetPointer(nint capsule, byte* name);
    [LibraryImport(Library)] public static partial nint PyCFunction_NewEx(nint methodDef, nint self, nint module); // [new]

    public const int Py_file_input = 257, Py_eval_input = 258;

    // Object header: ob_refcnt then ob_type (non-debug, GIL builds of 3.11-3.13).
    public static nint Py_TYPE(nint o) => *(nint*)(o + sizeof(nint));

    public const ulong Py_TPFLAGS_LONG_SUBCLASS = 1UL << 24, Py_TPFLAGS_LIST_SUBCLASS = 1UL << 25,
        Py_TPFLAGS_TUPLE_SUBCLASS = 1UL << 26, Py_TPFLAGS_BYTES_SUBCLASS = 1UL << 27,
        Py_TPFLAGS_UNICODE_SUBCLASS = 1UL << 28, Py_TPFLAGS_DICT_SUBCLASS = 1UL << 29,
        Py_TPFLAGS_BASE_EXC_SUBCLASS = 1UL << 30, Py_TPFLAGS_TYPE_SUBCLASS = 1UL << 31;

    public static bool HasTypeFlag(nint o, ulong flag) => (PyType_GetFlags(Py_TYPE(o)) & flag) != 0;
}
