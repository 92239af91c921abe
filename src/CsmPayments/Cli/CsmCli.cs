using System.CommandLine;
using System.Data.Common;
using CsmPayments.Storage;
using Microsoft.Extensions.Configuration;

namespace CsmPayments.Cli;

/// <summary>The <c>csm-payments</c> command line: one verb per job, each turning user mistakes into one clear line.</summary>
public static class CsmCli
{
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken ct = default)
    {
        var root = new RootCommand("CsmPayments: payment health and collections inside customer success.");
        root.Subcommands.Add(DbCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(ImportCommand.Create(context));
        root.Subcommands.Add(ReportCommand.Create(context));
        root.Subcommands.Add(CycleCommand.Create(context));
        root.Subcommands.Add(ServeCommand.Create(context));
        root.Subcommands.Add(ApiKeyCommand.Create(context));
        root.Subcommands.Add(OutboxCommand.Create(context));
        foreach (var workflow in WorkflowCommands.Create(context)) root.Subcommands.Add(workflow);

        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) await context.Error.WriteLineAsync($"csm-payments: {error.Message}");
            await context.Error.WriteLineAsync("Run 'csm-payments --help' for usage.");
            return 2;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = context.Output,
                Error = context.Error,
                EnableDefaultExceptionHandler = false,
            }, ct);
        }
        catch (Exception e) when (Describe(e) is { } message)
        {
            await context.Error.WriteLineAsync($"csm-payments: {message}");
            return e is UserErrorException user ? user.ExitCode : 1;
        }
    }

    /// <summary>The one line a person needs for a failure they can act on; null for a defect (which keeps its trace).</summary>
    private static string? Describe(Exception e) => e switch
    {
        UserErrorException or StorageConfigurationException or Messaging.SmtpConfigurationException => e.Message,
        FileNotFoundException f => $"file not found: {f.FileName ?? f.Message}",
        DirectoryNotFoundException d => d.Message,
        UnauthorizedAccessException u => u.Message,
        InvalidOperationException when e.InnerException is DbException inner => DatabaseMessage(inner),
        DbException db => DatabaseMessage(db),
        Microsoft.EntityFrameworkCore.DbUpdateException { InnerException: DbException inner } => DatabaseMessage(inner),
        System.Net.Sockets.SocketException s => $"cannot reach the database: {s.Message}",
        InvalidOperationException when e.InnerException is System.Net.Sockets.SocketException s => $"cannot reach the database: {s.Message}",
        ArgumentException when e.Message.Contains("connection string", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("keyword", StringComparison.OrdinalIgnoreCase)
            => $"the connection string ConnectionStrings:CsmPayments is not valid: {e.Message}",
        TimeZoneNotFoundException => $"Organisation:TimeZone is not a time zone this machine knows: {e.Message}",
        InvalidOperationException when e.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) => $"configuration: {e.Message}",
        OperationCanceledException => "cancelled",
        _ => null,
    };

    private static string DatabaseMessage(DbException e) =>
        $"database error ({e.GetType().Name.Replace("Exception", "")}): {e.Message.Split('\n')[0].Trim()}";
}
