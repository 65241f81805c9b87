// Async methods: Task, Task<T>, ValueTask, ValueTask<T>, with and without a trailing CancellationToken, and async with.
using System;
using System.Threading;
using System.Threading.Tasks;
using Siphon.Bindings;
using Siphon.Runtime.Python;

namespace Fixtures.AsyncMethods;

[PyClass("Client", Module = "siphon.http")]
public partial class Client
{
    [PyMethod]
    public Task CloseAsync() => Task.CompletedTask;

    [PyMethod]
    public async Task<string> FetchAsync(string path, CancellationToken cancellationToken)
    {
        await Task.Delay(1, cancellationToken);
        return path;
    }

    [PyMethod]
    public Task<long> CountAsync(string path) => Task.FromResult((long)path.Length);

    [PyMethod]
    public ValueTask<bool> PingAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(!cancellationToken.IsCancellationRequested);

    [PyMethod]
    public ValueTask FlushAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    [PyMethod]
    public ValueTask<int> SizeAsync() => ValueTask.FromResult(0);

    [PyMethod]
    public Task<byte[]?> ReadAsync(int count, [PyKeywordOnly] int timeoutMs = 1000, CancellationToken cancellationToken = default) =>
        Task.FromResult<byte[]?>(count + timeoutMs > 0 ? new byte[count] : null);

    [PyMethod("__aenter__")]
    public Task<Client> EnterAsync() => Task.FromResult(this);

    [PyMethod("__aexit__")]
    public Task ExitAsync(PyBorrowed excType, PyBorrowed exc, PyBorrowed traceback) => CloseAsync();
}
