using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MimeKit;

namespace CsmPayments.Tests.Messaging;

/// <summary>
/// A real SMTP server on loopback: Debian's aiosmtpd, storing every accepted message in a maildir. It can be stopped
/// and started again on the same port to play a server that is down for a while.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private Process? _process;
    private readonly bool _dropOnData;

    // A server that takes the whole message and then drops the connection instead of answering: the client cannot know
    // whether the mail was accepted.
    private const string DropOnData = """
        import sys, time
        from aiosmtpd.controller import Controller
        class DropOnData:
            async def handle_DATA(self, server, session, envelope):
                server.transport.abort()
                return '250 never seen'
        Controller(DropOnData(), hostname='127.0.0.1', port=int(sys.argv[1])).start()
        print('ready', flush=True)
        while True:
            time.sleep(3600)
        """;

    private SmtpTestServer(int port, string mailDir, bool dropOnData = false)
    {
        Port = port;
        MailDir = mailDir;
        _dropOnData = dropOnData;
    }

    public int Port { get; }
    public string MailDir { get; }

    public static async Task<SmtpTestServer> StartAsync()
    {
        var server = new SmtpTestServer(FreePort(), Path.Combine(Path.GetTempPath(), $"csm-smtp-{Guid.NewGuid():N}"));
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>A server that receives the message data and then drops the connection without an answer.</summary>
    public static async Task<SmtpTestServer> StartDroppingAfterDataAsync()
    {
        var server = new SmtpTestServer(FreePort(), Path.Combine(Path.GetTempPath(), $"csm-smtp-{Guid.NewGuid():N}"), dropOnData: true);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>A port nobody listens on, for a server that is not there at all.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public async Task StartAgainAsync()
    {
        if (_process is not null) throw new InvalidOperationException("the SMTP server is already running");
        var start = new ProcessStartInfo(Python, _dropOnData
            ? ["-c", DropOnData, Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]
            : ["-m", "aiosmtpd", "-n", "-l", $"127.0.0.1:{Port}", "-c", "aiosmtpd.handlers.Mailbox", MailDir])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("could not start aiosmtpd");
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"aiosmtpd exited ({_process.ExitCode}): {await _process.StandardError.ReadToEndAsync()}");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(25);
            }
        }
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>Every message the server accepted so far.</summary>
    public IReadOnlyList<MimeMessage> Received()
    {
        var folder = Path.Combine(MailDir, "new");
        if (!Directory.Exists(folder)) return [];
        return Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(f => MimeMessage.Load(f)).OrderBy(m => m.Date).ToList();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(MailDir)) Directory.Delete(MailDir, recursive: true);
    }
}
