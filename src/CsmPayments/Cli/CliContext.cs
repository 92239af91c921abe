using CsmPayments.Organisation;
using CsmPayments.Storage;
using Microsoft.Extensions.Configuration;
using Spectre.Console;

namespace CsmPayments.Cli;

/// <summary>What every verb needs: configuration, the database, the clock, and where to write.</summary>
public sealed class CliContext
{
    public CliContext(IConfiguration configuration, TimeProvider clock, TextWriter output, TextWriter error, bool interactive)
    {
        Configuration = configuration;
        Clock = clock;
        Output = output;
        Error = error;
        Interactive = interactive;
        _organisation = new Lazy<OrganisationOptions>(() =>
            configuration.GetSection(OrganisationOptions.Section).Get<OrganisationOptions>() ?? new OrganisationOptions());
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = interactive ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = interactive ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = interactive ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }

    public IConfiguration Configuration { get; }
    public TimeProvider Clock { get; }
    public TextWriter Output { get; }
    public TextWriter Error { get; }

    /// <summary>True on a terminal: progress displays are shown; false when output is piped or captured.</summary>
    public bool Interactive { get; }

    public IAnsiConsole Console { get; }
    private readonly Lazy<OrganisationOptions> _organisation;

    /// <summary>Bound on first use, so a bad setting is reported like any other user error.</summary>
    public OrganisationOptions Organisation => _organisation.Value;

    public DateOnly Today => Organisation.Today(Clock);

    /// <summary>The configured database, its schema brought up to date on first use.</summary>
    public async Task<Database> DatabaseAsync(CancellationToken ct)
    {
        var database = new Database(StorageOptions.From(Configuration["Database:Provider"], Configuration.GetConnectionString("CsmPayments")));
        await database.MigrateAsync(ct);
        return database;
    }

    /// <summary>Configuration the way .NET apps read it: appsettings.json, then CSM-independent environment variables, then overrides.</summary>
    public static IConfiguration BuildConfiguration(IEnumerable<KeyValuePair<string, string?>>? overrides = null) =>
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides ?? [])
            .Build();
}
