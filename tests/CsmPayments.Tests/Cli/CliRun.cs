using CsmPayments.Cli;
using Microsoft.Extensions.Time.Testing;

namespace CsmPayments.Tests.Cli;

/// <summary>Runs the real command line in-process against a given configuration and captures what it writes.</summary>
public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> RunAsync(IDictionary<string, string?> settings, DateTimeOffset now, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(CliContext.BuildConfiguration(settings), new FakeTimeProvider(now), output, error, interactive: false);
        var exit = await CsmCli.RunAsync(args, context);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    public static Dictionary<string, string?> Settings(Infrastructure.TestDatabase database) => new()
    {
        ["Database:Provider"] = database.Provider == CsmPayments.Storage.StorageProvider.Postgres ? "postgres" : "sqlite",
        ["ConnectionStrings:CsmPayments"] = database.ConnectionString,
    };
}
