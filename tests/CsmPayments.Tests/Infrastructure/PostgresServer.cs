using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace CsmPayments.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for the test run: initdb into a temporary folder, started with pg_ctl on a free
/// loopback port, stopped and removed when the test process exits. Under root it runs as the 'postgres' user,
/// because PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private readonly string _directory;
    private readonly string _binaries;
    private readonly bool _asPostgresUser;

    private PostgresServer(string directory, string binaries, int port, bool asPostgresUser)
    {
        _directory = directory;
        _binaries = binaries;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public int Port { get; }

    public static Task<PostgresServer> InstanceAsync() => Shared.Value;

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=20;Include Error Detail=true";

    private static async Task<PostgresServer> StartAsync()
    {
        RemoveAbandoned();
        var binaries = FindBinaries();
        var asPostgresUser = Environment.UserName == "root";
        var directory = Path.Combine(Path.GetTempPath(), "csm-payments-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        if (asPostgresUser) Run("chown", $"postgres: {directory}", asUser: false);
        var data = Path.Combine(directory, "data");
        var port = FreePort();
        var server = new PostgresServer(directory, binaries, port, asPostgresUser);
        server.Pg("initdb", $"-D {data} -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8");
        server.Pg("pg_ctl", $"-D {data} -l {Path.Combine(directory, "log")} -w -t 60 " +
                            $"-o \"-p {port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200\" start");
        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();
        await using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
        await connection.OpenAsync();
        return server;
    }

    private void Stop()
    {
        try
        {
            Pg("pg_ctl", $"-D {Path.Combine(_directory, "data")} -m immediate -w stop");
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>
    /// Removes the clusters of earlier runs whose process ended before its exit handler could delete them (the test
    /// host may be ended while the folder is being deleted). A folder stays while its server runs, and while it is young
    /// enough to be a cluster another run is still creating.
    /// </summary>
    private static void RemoveAbandoned()
    {
        // Folder ages are file-system times, so they are compared with the machine's clock.
        var youngest = TimeProvider.System.GetUtcNow().UtcDateTime.AddMinutes(-10);
        foreach (var directory in Directory.GetDirectories(Path.GetTempPath(), "csm-payments-pg-*"))
        {
            var pidFile = Path.Combine(directory, "data", "postmaster.pid");
            var running = File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) && Directory.Exists($"/proc/{pid}");
            if (running || Directory.GetLastWriteTimeUtc(directory) > youngest) continue;
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"could not remove the abandoned test cluster {directory}: {e.Message}");
            }
        }
    }

    private void Pg(string tool, string arguments) => Run(Path.Combine(_binaries, tool), arguments, _asPostgresUser);

    private static void Run(string file, string arguments, bool asUser)
    {
        var info = asUser
            ? new ProcessStartInfo("runuser", $"-u postgres -- {file} {arguments}")
            : new ProcessStartInfo(file, arguments);
        info.RedirectStandardOutput = info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {error}{output.Result}");
    }

    private static string FindBinaries()
    {
        var fromPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "initdb")));
        if (fromPath is not null) return fromPath;
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb"))).Order().LastOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) not found: install PostgreSQL (Debian: apt-get install postgresql); .ci/run does this");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
