using CsmPayments.Cli;
using CsmPayments.Collections;
using CsmPayments.Messaging;
using CsmPayments.Cycle;
using CsmPayments.Organisation;
using CsmPayments.Storage;

namespace CsmPayments.Scheduling;

/// <summary>The scheduled daily run: the <see cref="CycleRun"/> the web host hands to <see cref="DailyCycle"/>.</summary>
public static class DailyRun
{
    /// <summary>
    /// The run for today in the organisation's time zone, with the settings <c>cycle</c> reads, checked the same way
    /// (every account's currency has a rate), the collection playbooks and, when SMTP is set, delivery before the run
    /// ends. Everything a scheduled run needs is put together here and nowhere else. <paramref name="asOf"/> is the day
    /// of a run being recovered after its node died (the day it was scheduled for, not the day it is re-run).
    /// </summary>
    public static async Task<CycleRun> CreateAsync(IConfiguration configuration, Database database, TimeProvider clock, CancellationToken ct,
        DateOnly? asOf = null)
    {
        var organisation = Organisation(configuration);
        var today = asOf ?? organisation.Today(clock);
        var settings = await CycleCommand.Settings(configuration, () => organisation).WithCollectionsAsync(database, today, ct);
        await CycleCommand.RequireRatesAsync(database, settings, ct);
        var smtp = CollectionsSetup.Smtp(configuration);
        return new CycleRun(database, today, settings, dryRun: false)
        {
            Collections = CollectionsSetup.Cycle(configuration, database, organisation, clock),
            // Without an SMTP host the messages wait in the outbox; the dispatch job says so.
            Dispatcher = string.IsNullOrWhiteSpace(smtp.Host) ? null : new OutboxDispatcher(database, smtp, clock),
        };
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

    /// <summary>The organisation's date at <paramref name="instant"/>.</summary>
    public static DateOnly DateAt(OrganisationOptions organisation, DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, TimeZone(organisation)).DateTime);

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
