// Cost of the binding layer per operation: the generated glue (C API thunks) against pythonnet's own
// reflection wrapping of the same C# types, in the same process and run (pythonnet hosts the engine
// either way). Median of 5 runs of N (default 300k) each:
//   call:     C# calls a Python `lambda x: x + 1` with an int and converts the int back;
//   read:     Python reads req.method (generated, cached after the first read) / req.Method (pythonnet)
//             in an unrolled Python loop (10 reads an iteration, the empty loop subtracted);
//   method:   Python calls req.header('host') / req.Header('host') in a Python loop;
//   create:   C# wraps a Request for Python, reads one attribute of it, drops both;
//   response: Python builds a Response and drops it (generated: http.Response(200, {...}, 'hello')
//             and http.Response(200); pythonnet: Response(200, None, None), the overload without a
//             PyBorrowed parameter, since it cannot pass a ref struct, turn a dict into
//             IReadOnlyDictionary or a str into ReadOnlyMemory<byte>?);
//   clr:      a script's call of a static .NET method through `clr` (System.Math.Max(1, 2), overloaded)
//             and a static property read (System.Environment.ProcessorCount);
//   extension: the example extension's Quote (examples/extensions) created, its price read and
//             discounted(10) called from Python, generated glue against pythonnet's reflection of the
//             same class (`import clr`), beside the host's own Request/Response rows above;
//   repeated: the same Request object's req.method / req.path / req.headers read again and again, and
//             req.path_params['id'], next to the same reads of a types.SimpleNamespace holding the same
//             values (issue 16: a cached member should cost no more than a plain attribute).
// Python-loop figures have the empty loop's cost removed (the empty loop's own cost is printed). Run by hand:
//   dotnet run -c Release --project bench/BindingCost [-- /path/to/python3 [N]]
using System.Diagnostics;
using Siphon.Runtime.Hosting.Dispatch;
using Siphon.Runtime.Http;
using Siphon.Runtime.Python;
using Siphon.Runtime.Python.Binding;
using PyObject = Python.Runtime.PyObject;
using PyInt = Python.Runtime.PyInt;

#pragma warning disable CS0612 // PyObject.Handle: the raw pointer is what the Python loops are given

var install = PythonLocator.Locate(null, null, args.Length > 0 ? args[0] : null);
var N = args.Length > 1 ? int.Parse(args[1]) : 300_000;
PythonRuntime.Initialize(install);
using var gil = Gil.Acquire();
NativeModule.Install(_ => PyConvert.None());
// The headers a curl or browser request typically carries (req.headers converts all of them).
var request = new Request("GET", "/users/42", null,
    [new("host", "x"), new("user-agent", "curl/7.88.1"), new("accept", "*/*"), new("accept-encoding", "gzip"), new("connection", "keep-alive")],
    ReadOnlyMemory<byte>.Empty, "127.0.0.1:1", null, new Dictionary<string, string> { ["id"] = "42" });
var type = BindingRegistry.TypeOf(typeof(Request));

double Median(Func<double> f) { f(); var xs = Enumerable.Range(0, 5).Select(_ => f()).Order().ToArray(); return xs[2]; }

unsafe double CallGenerated(nint fn)
{
    var sw = Stopwatch.StartNew();
    long sum = 0;
    for (var i = 0; i < N; i++)
    {
        var arg = CApi.PyLong_FromLongLong(i);
        var r = CApi.PyObject_CallOneArg(fn, arg);
        sum += CApi.PyLong_AsLongLong(r);
        CApi.Py_DecRef(r);
        CApi.Py_DecRef(arg);
    }
    if (sum == 0) throw new InvalidOperationException();
    return sw.Elapsed.TotalNanoseconds / N;
}

double CallPythonNet(PyObject fn)
{
    var sw = Stopwatch.StartNew();
    long sum = 0;
    for (var i = 0; i < N; i++)
    {
        using var arg = new PyInt(i);
        using var r = fn.Invoke(arg);
        sum += r.As<long>();
    }
    if (sum == 0) throw new InvalidOperationException();
    return sw.Elapsed.TotalNanoseconds / N;
}

unsafe double CreateGenerated()
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

double CreatePythonNet()
{
    var sw = Stopwatch.StartNew();
    for (var i = 0; i < N; i++)
    {
        using var o = PyObject.FromManagedObject(request);
        using var v = o.GetAttr("Method");
    }
    return sw.Elapsed.TotalNanoseconds / N;
}

unsafe double PyLoop(string setup, string body, nint req)
{
    using var f = PyOwned.Checked(PythonRuntime.Eval(
        $"(lambda: ({setup}) and (lambda r, n, perf=__import__('time').perf_counter_ns: (lambda t0: [None for _ in range(n) for _ in [{body}]] and (perf() - t0))(perf())))()"));
    using var n = PyOwned.Adopt(PyConvert.ToPy(N));
    var args = stackalloc nint[2] { req, n.Handle };
    using var ns = PyOwned.Checked(CApi.PyObject_Vectorcall(f.Handle, args, 2, 0));
    return PyConvert.ToInt64(ns.Handle, "ns") / (double)N;
}

double InPython(string body, nint req, string setup = "True") =>
    Median(() => PyLoop(setup, body, req)) - Median(() => PyLoop(setup, "0", req));

// pythonnet cannot call every constructor (one taking a ref struct such as PyBorrowed fails with
// NotSupportedException inside its binder); such a row prints NaN instead of ending the run.
double PythonNetOrNaN(Func<double> f)
{
    try { return f(); }
    catch (PythonException e) { Console.Error.WriteLine($"pythonnet: {e.Message.Split('\n')[0]}"); return double.NaN; }
}

// Make pythonnet's view of the host assembly and `clr` ready (outside the timings).
using (var r = PyOwned.Checked(PythonRuntime.Eval("__import__('clr').AddReference('siphon') or 1"))) { }
const string PnSetup = "__import__('clr') and __import__('builtins').__dict__.setdefault('PnResponse', __import__('Siphon.Runtime.Http', fromlist=['Response']).Response)";
const string ClrSetup = "__import__('builtins').__dict__.setdefault('DotNetMath', __import__('System', fromlist=['Math']).Math)";

var fn = PythonRuntime.Eval("lambda x: x + 1"); // dropped at the end
CApi.Py_IncRef(fn);
using var fnNet = PyObjects.FromStolen(fn);
var genReq = BoundObject.Alloc(type, request);
using var netReq = PyObject.FromManagedObject(request);

// Repeated reads of one request object against a SimpleNamespace holding the same values: each
// read costs a few ns, so the list-building loop above is too coarse. A plain `for` loop with the
// read written 10 times per iteration, the same source for both objects (passed as `r`), rounds
// interleaved (empty, request, namespace) so a change in machine load hits all three alike.
var ns = PyErrors.ThrowIfNull(PythonRuntime.Eval(
    "__import__('types').SimpleNamespace(method='GET', path='/users/42', path_params={'id': '42'}, "
    + "headers={'host': 'x', 'user-agent': 'curl/7.88.1', 'accept': '*/*', 'accept-encoding': 'gzip', 'connection': 'keep-alive'})"));
const int Unroll = 10;
nint ReadLoop(string body) => PyErrors.ThrowIfNull(PythonRuntime.Eval(
    "(lambda g: (exec(" + System.Text.Json.JsonSerializer.Serialize(
        "def loop(r, n, perf=__import__('time').perf_counter_ns):\n    t0 = perf()\n    for _ in range(n):\n        "
        + string.Join("; ", Enumerable.Repeat(body, Unroll)) + "\n    return perf() - t0\n") + ", g), g['loop'])[1])({})"));
unsafe double RunReadLoop(nint loop, nint r)
{
    using var n = PyOwned.Adopt(PyConvert.ToPy(N));
    var args = stackalloc nint[2] { r, n.Handle };
    using var elapsed = PyOwned.Checked(CApi.PyObject_Vectorcall(loop, args, 2, 0));
    return PyConvert.ToInt64(elapsed.Handle, "ns") / (double)N;
}
var emptyLoop = ReadLoop("pass");
// A property read costs a few ns, below what the list-building loop of InPython resolves (it gave
// the generated read a negative cost): both sides are timed with the unrolled loop, rounds
// interleaved, the empty loop subtracted. The generated side is req.method's cached read (the
// first read converts, every later one returns the kept object); pythonnet reflects each time.
double PropertyRead(string body, nint r)
{
    var loop = ReadLoop(body);
    RunReadLoop(loop, r); RunReadLoop(emptyLoop, r); // warm-up
    var (e, a) = (new List<double>(), new List<double>());
    for (var round = 0; round < 7; round++)
    {
        e.Add(RunReadLoop(emptyLoop, r));
        a.Add(RunReadLoop(loop, r));
    }
    CApi.Py_DecRef(loop);
    return (a.Order().ElementAt(a.Count / 2) - e.Order().ElementAt(e.Count / 2)) / Unroll;
}

var rows = new (string Op, double Generated, double PythonNet)[]
{
    ("C# calls handler(int), int back", Median(() => CallGenerated(fn)), Median(() => CallPythonNet(fnNet))),
    ("Python reads a bound property (req.method; generated: cached)", PropertyRead("r.method", genReq), PropertyRead("r.Method", netReq.Handle)),
    ("Python calls a bound method", InPython("r.header('host')", genReq), PythonNetOrNaN(() => InPython("r.Header('host')", netReq.Handle))),
    ("create, read one property, drop", Median(CreateGenerated), Median(CreatePythonNet)),
    ("Response(200) from Python", InPython("__import__('siphon.http').http.Response(200)", genReq, "True"),
        PythonNetOrNaN(() => InPython("PnResponse(200, None, None)", genReq, PnSetup))),
};
// The extension's type (registered by its module initializer, as `extensions:` does at start-up).
Siphon.Runtime.Extensions.ExtensionLoader.Load([typeof(Acme.Pricing.Quote).Assembly.Location]);
var quoteType = BindingRegistry.TypeOf(typeof(Acme.Pricing.Quote));
PyObjects.SetItem(CApi.PyEval_GetBuiltins(), "ExtQuote", quoteType);
using (var r = PyOwned.Checked(PythonRuntime.Eval("__import__('clr').AddReference('Acme.Pricing') or 1"))) { }
const string PnQuoteSetup = "__import__('builtins').__dict__.setdefault('PnQuote', __import__('Acme.Pricing', fromlist=['Quote']).Quote)";
var genQuote = PyErrors.ThrowIfNull(PythonRuntime.Eval("ExtQuote('ab-1', 19.99)"));
using (var r = PyOwned.Checked(PythonRuntime.Eval(PnQuoteSetup))) { }
var netQuote = PyErrors.ThrowIfNull(PythonRuntime.Eval("PnQuote('ab-1', 19.99)"));
var extensionRows = new (string Op, double Generated, double PythonNet)[]
{
    ("Quote('ab-1', 19.99) from Python", InPython("ExtQuote('ab-1', 19.99)", genReq), InPython("PnQuote('ab-1', 19.99)", genReq, PnQuoteSetup)),
    ("Python reads quote.price", PropertyRead("r.price", genQuote), PropertyRead("r.Price", netQuote)),
    ("Python calls quote.discounted(10)", InPython("r.discounted(10)", genQuote), InPython("r.Discounted(10)", netQuote)),
};
CApi.Py_DecRef(genQuote);
CApi.Py_DecRef(netQuote);
var fullResponse = InPython("__import__('siphon.http').http.Response(200, {'content-type': 'text/plain'}, 'hello')", genReq);
var clrCall = InPython("DotNetMath.Max(1, 2)", genReq, ClrSetup);
var pyCall = InPython("max(1, 2)", genReq);
var clrProperty = InPython("DotNetEnvironment.ProcessorCount", genReq,
    "__import__('builtins').__dict__.setdefault('DotNetEnvironment', __import__('System', fromlist=['Environment']).Environment)");
var repeated = new[] { "r.method", "r.path", "r.headers", "r.path_params['id']" }.Select(body =>
{
    var loop = ReadLoop(body);
    RunReadLoop(loop, genReq); RunReadLoop(loop, ns); RunReadLoop(emptyLoop, genReq); // warm-up
    var (e, a, p) = (new List<double>(), new List<double>(), new List<double>());
    for (var round = 0; round < 7; round++)
    {
        e.Add(RunReadLoop(emptyLoop, genReq));
        a.Add(RunReadLoop(loop, genReq));
        p.Add(RunReadLoop(loop, ns));
    }
    CApi.Py_DecRef(loop);
    double Mid(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
    return (Body: body, Empty: Mid(e), Request: (Mid(a) - Mid(e)) / Unroll, Namespace: (Mid(p) - Mid(e)) / Unroll);
}).ToArray();
CApi.Py_DecRef(emptyLoop);
CApi.Py_DecRef(ns);
CApi.Py_DecRef(genReq);
CApi.Py_DecRef(fn);

Console.WriteLine($"{install}, N = {N}, median of 5");
Console.WriteLine("| operation | generated glue, ns | pythonnet reflection, ns | ratio |");
Console.WriteLine("| --- | ---: | ---: | ---: |");
foreach (var (op, g, p) in rows) Console.WriteLine($"| {op} | {g:F0} | {p:F0} | {p / g:F1}× |");
Console.WriteLine($"| http.Response(200, {{...}}, 'hello') from Python | {fullResponse:F0} | (cannot: dict/str arguments) | |");
Console.WriteLine();
Console.WriteLine("The example extension's type (examples/extensions, Acme.Pricing.Quote), the same glue as the host's types:");
Console.WriteLine("| operation | generated glue, ns | pythonnet reflection (`import clr`), ns | ratio |");
Console.WriteLine("| --- | ---: | ---: | ---: |");
foreach (var (op, g, p) in extensionRows) Console.WriteLine($"| {op} | {g:F0} | {p:F0} | {p / g:F1}× |");
Console.WriteLine();
Console.WriteLine($"clr: System.Math.Max(1, 2) (overloaded) from a script: {clrCall:F0} ns per call (Python's max(1, 2): {pyCall:F0} ns)");
Console.WriteLine($"clr: System.Environment.ProcessorCount (a static property) from a script: {clrProperty:F0} ns per read");
Console.WriteLine();
Console.WriteLine($"Repeated reads of one object, ns per read, median of 7 interleaved rounds of N iterations × {Unroll} reads, "
    + $"the empty loop subtracted ({repeated.Select(x => x.Empty).Order().ElementAt(repeated.Length / 2):F1} ns per iteration):");
Console.WriteLine("| read | r = http.Request | r = types.SimpleNamespace | request − namespace |");
Console.WriteLine("| --- | ---: | ---: | ---: |");
foreach (var (body, _, req, plain) in repeated) Console.WriteLine($"| `{body}` | {req:F1} | {plain:F1} | {req - plain:F1} |");
