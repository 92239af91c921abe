using System.CommandLine;

namespace CsmPayments.Cli;

public static class DbCommand
{
    public static Command Create(CliContext context)
    {
        var migrate = new Command("migrate", "Apply the database schema migrations");
        migrate.SetAction(async (_, ct) =>
        {
            var database = new Storage.Database(Storage.StorageOptions.From(
                context.Configuration["Database:Provider"], Microsoft.Extensions.Configuration.ConfigurationExtensions.GetConnectionString(context.Configuration, "CsmPayments")));
            var applied = await database.MigrateAsync(ct);
            await context.Output.WriteLineAsync(applied.Count == 0
                ? $"The {database.Options.Provider} database is up to date."
                : $"Applied {applied.Count} migration(s) to the {database.Options.Provider} database: {string.Join(", ", applied)}.");
            return 0;
        });
        var db = new Command("db", "Database maintenance");
        db.Subcommands.Add(migrate);
        return db;
    }
}
