using CsmPayments.Cli;
using CsmPayments.Cycle;
using CsmPayments.Organisation;
using CsmPayments.Storage;

namespace CsmPayments.Scheduling;

/// <summary>The scheduled daily run: the <see cref="CycleRun"/> the web host hands to <see cref="DailyCycle"/>.</summary>
public static class DailyRun
{
    /// <summary>
    /// The run for today in the organisation's time zone, with the settings <c>cycle</c> reads, checked the same way
    /// (every account's currency has a rate). Everything a scheduled run needs is put together here and nowhere else.
    /// </summary>
    public static async Task<CycleRun> CreateAsync(IConfiguration configuration, Database database, TimeProvider clock, CancellationToken ct)
    {
        var organisation = Organisation(configuration);
        var settings = CycleCommand.Settings(configuration, () => organisation);
        await CycleCommand.RequireRatesAsync(database, settings, ct);
        return new CycleRun(database, organisation.Today(clock), settings, dryRun: false);
    }

    public static OrganisationOptions Organisation(IConfiguration configuration)
    {
        try
        {
            return configuration.GetSection(OrganisationOptions.Section).Get<OrganisationOptions>() ?? new OrganisationOptions();
        }
        catch (InvalidOperationException e)
        {
            throw new UserErrorException($"the Organisation configuration is not valid: {e.Message}");
        }
    }

    public static TimeZoneInfo TimeZone(OrganisationOptions organisation)
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(organisation.TimeZone);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new UserErrorException($"configuration: Organisation:TimeZone '{organisation.TimeZone}' is not a known time zone such as Europe/Berlin");
        }
    }
}
