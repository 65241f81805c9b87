// Listen sockets that several worker processes can bind at once (SO_REUSEPORT): the kernel spreads
// new connections across them. Used only when workers > 1, so a single server still gets a clear
// "address in use" when another program holds its port.
using System.Net;
using System.Net.Sockets;

namespace Siphon.Runtime.Hosting.Transport;

internal static class ReusePort
{
    private const int SOL_SOCKET = 1, SO_REUSEPORT = 15;

    /// <summary>Set by the worker process at start-up (SIPHON_WORKER_INDEX present).</summary>
    public static bool Enabled { get; set; }

    public static Socket CreateBoundSocket(EndPoint endpoint)
    {
        var ip = (IPEndPoint)endpoint;
        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
            Enable(socket);
            socket.Bind(ip);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static void Enable(Socket socket) => socket.SetRawSocketOption(SOL_SOCKET, SO_REUSEPORT, BitConverter.GetBytes(1));
}
