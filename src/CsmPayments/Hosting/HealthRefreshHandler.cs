using CsmPayments.Cli;
using CsmPayments.Cycle;
using CsmPayments.Organisation;
using CsmPayments.Storage;
using Microsoft.Extensions.Options;

namespace CsmPayments.Hosting;

/// <summary>
/// What the web host does with the accounts an API write changed: their health, segments and alerts for today are
/// evaluated again at once, with the daily cycle's own stages, so the CSM sees a failed payment or a usage drop within
/// seconds instead of at the next cycle. Collection messages are not sent from here; they follow the daily cycle.
/// </summary>
public static class HealthRefreshHandler
{
    public static AccountChangeHandler Create(IServiceProvider services)
    {
        var database = services.GetRequiredService<Database>();
        var clock = services.GetRequiredService<TimeProvider>();
        var configuration = services.GetRequiredService<IConfiguration>();
        var organisation = services.GetRequiredService<IOptions<OrganisationOptions>>().Value;
        var log = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HealthRefreshHandler));
        var settings = CycleCommand.Settings(configuration, () => organisation);
        return async (ids, ct) =>
        {
            var today = organisation.Today(clock);
            var withCollections = await settings.WithCollectionsAsync(database, today, ct);
            var summary = await HealthRefresh.RefreshAccountsAsync(database, ids, today, withCollections, ct);
            log.LogInformation("Refreshed health of {Count} account(s) for {Day}: {Opened} alert(s) opened, {Closed} closed",
                summary.AccountsEvaluated, today, summary.AlertsOpened, summary.AlertsClosed);
        };
    }
}
