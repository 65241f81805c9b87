// Cost of the binding layer, per operation, median of 7 runs of 1M:
//   create: C# wraps a Request for Python, Python reads one property (req.method), both dropped;
//   read:   Python reads req.method in a Python loop (loop cost removed with an empty loop);
//   response: Python builds http.Response(200, {...}, "body") and drops it.
using System.Diagnostics;
using Siphon.Runtime.Hosting;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;

if (args.Length > 0) Environment.SetEnvironmentVariable(PythonLocator.EnvironmentVariable, args[0]);
var install = PythonLocator.Locate();
PythonRuntime.Initialize(install);
using var gil = Gil.Acquire();
NativeModule.Install(_ => PyConvert.None());
const int N = 1_000_000;
var request = new Request("GET", "/users/42", null, [new("host", "x")], ReadOnlyMemory<byte>.Empty, "127.0.0.1:1", null,
    new Dictionary<string, string> { ["id"] = "42" });
var type = BindingRegistry.TypeOf(typeof(Request));

unsafe double Create()
{
    var name = (byte*)Utf8Z.Of("method");
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < N; i++)
    {
        var o = BoundObject.Alloc(type, request);
        var v = CApi.PyObject_GetAttrString(o, name);
        CApi.Py_DecRef(v);
        CApi.Py_DecRef(o);
    }
    return sw.Elapsed.TotalNanoseconds / N;
}

double PyLoop(string body, nint req)
{
    using var f = PyOwned.Checked(PythonRuntime.Eval($"lambda r, n, perf=__import__('time').perf_counter_ns: (lambda t0: [None for _ in range(n) for _ in [{body}]] and (perf() - t0))(perf())"));
    using var r = PyOwned.Steal(PyConvert.ToPy(N));
    using var args = PyOwned.Checked(CApi.PyTuple_New(2));
    CApi.Py_IncRef(req); CApi.PyTuple_SetItem(args.Handle, 0, req);
    CApi.PyTuple_SetItem(args.Handle, 1, r.Steal());
    using var ns = PyOwned.Checked(CApi.PyObject_Call(f.Handle, args.Handle, 0));
    return PyConvert.ToInt64(ns.Handle, "ns") / (double)N;
}

double Median(Func<double> f) { f(); var xs = Enumerable.Range(0, 7).Select(_ => f()).Order().ToArray(); return xs[3]; }

var req = BoundObject.Alloc(type, request);
var create = Median(Create);
var empty = Median(() => PyLoop("0", req));
var read = Median(() => PyLoop("r.method", req)) - empty;
var pathParam = Median(() => PyLoop("r.path_params['id']", req)) - empty;
var response = Median(() => PyLoop("__import__('siphon.http').http.Response(200, {'content-type': 'text/plain'}, 'hello')", req))
    - Median(() => PyLoop("__import__('siphon.http').http", req));
CApi.Py_DecRef(req);
Console.WriteLine($"{install}");
Console.WriteLine($"create Request + read .method from Python + drop: {create:F0} ns");
Console.WriteLine($"read req.method from a Python loop:              {read:F0} ns");
Console.WriteLine($"read req.path_params['id'] from a Python loop:   {pathParam:F0} ns");
Console.WriteLine($"http.Response(200, {{...}}, 'hello') from Python:  {response:F0} ns");
