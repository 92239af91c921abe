using CsmPayments.Billing;
using CsmPayments.Cli.Reports;
using CsmPayments.Cycle;
using CsmPayments.Engagement;
using CsmPayments.Health;
using CsmPayments.Segments;
using CsmPayments.Storage;
using CsmPayments.Tests.Infrastructure;
using CsmPayments.Work;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Cycle;

public sealed class DailyCycleTests
{
    private static readonly DateOnly D = CycleBook.AsOf;

    private static async Task<List<string>> SnapshotRowsAsync(TestDatabase test)
    {
        await using var db = test.Open();
        return (await db.HealthSnapshots.AsNoTracking().OrderBy(s => s.AccountId).ThenBy(s => s.AsOf).ToListAsync())
            .Select(s => $"{s.AccountId}|{s.AsOf}|{s.Score}|{s.Band}|{s.PaymentHealth}|{s.Usage}|{s.Engagement}|{s.Support}|{s.Sentiment}|{s.Signals}|{s.Explanation}")
            .ToList();
    }

    private static async Task<List<Alert>> AlertsAsync(TestDatabase test)
    {
        await using var db = test.Open();
        return await db.Alerts.AsNoTracking().OrderBy(a => a.Id).ToListAsync();
    }

    [Theory, Providers]
    public async Task The_cycle_stores_one_snapshot_per_account_and_running_the_same_day_again_changes_nothing(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var book = await CycleBook.SeedAsync(test);

        var first = await CycleBook.RunAsync(test, D);
        var rows = await SnapshotRowsAsync(test);
        var alerts = await AlertsAsync(test);
        var second = await CycleBook.RunAsync(test, D);

        Assert.Equal(3, first.AccountsEvaluated);
        Assert.Equal(3, first.SnapshotsWritten);
        Assert.Equal(3, first.SegmentChanges);
        Assert.Equal(3, rows.Count);
        Assert.Equal(0, second.SnapshotsWritten);
        Assert.Equal(0, second.SegmentChanges);
        Assert.Equal((0, 0), (second.AlertsOpened, second.AlertsClosed));
        Assert.Equal(rows, await SnapshotRowsAsync(test));
        Assert.Equal(alerts.Select(a => a.Id), (await AlertsAsync(test)).Select(a => a.Id));

        await using var db = test.Open();
        var snapshots = await db.HealthSnapshots.AsNoTracking().ToDictionaryAsync(s => s.AccountId);
        Assert.Equal(HealthBand.Green, snapshots[book.A].Band);
        Assert.Equal(HealthBand.Red, snapshots[book.B].Band);
        Assert.Contains("silent_churn", snapshots[book.B].Signals.Split(','));
        Assert.StartsWith("no active users for 20 days while billing continues", snapshots[book.B].Explanation);
        Assert.Contains("failed_payment", snapshots[book.C].Signals.Split(','));
        Assert.True(snapshots[book.C].PaymentHealth < 100);
    }

    [Theory, Providers]
    public async Task A_write_that_fails_mid_way_fails_the_cycle_and_stores_nothing_of_the_day(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var book = await CycleBook.SeedAsync(test);
        // One account per range, so the first ranges are written while the last is evaluated; the database refuses the
        // last account's snapshot.
        // DDL takes no parameters: the id is a number the test made.
        var refused = book.C.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using (var db = test.Open())
        {
            if (provider == StorageProvider.Postgres)
            {
                await db.Database.ExecuteSqlRawAsync("""
                    CREATE FUNCTION refuse_snapshot() RETURNS trigger LANGUAGE plpgsql AS
                    $$ BEGIN IF NEW.account_id = @@ THEN RAISE EXCEPTION 'snapshot refused'; END IF; RETURN NEW; END $$
                    """.Replace("@@", refused));
                await db.Database.ExecuteSqlRawAsync("CREATE TRIGGER refuse_snapshot BEFORE INSERT ON health_snapshots FOR EACH ROW EXECUTE FUNCTION refuse_snapshot()");
            }
            else
                await db.Database.ExecuteSqlRawAsync("""
                    CREATE TRIGGER refuse_snapshot BEFORE INSERT ON health_snapshots
                    WHEN NEW.account_id = @@ BEGIN SELECT RAISE(ABORT, 'snapshot refused'); END
                    """.Replace("@@", refused));
        }

        var run = new CycleRun(test.Database, D, CycleBook.Settings, false) { RangeSize = 1 };
        var error = await Assert.ThrowsAnyAsync<Exception>(() => DailyCycle.RunAsync(run, CancellationToken.None));

        Assert.Contains("snapshot refused", error.Message);
        Assert.Empty(await SnapshotRowsAsync(test));
        await using var check = test.Open();
        Assert.Equal(0, await check.SegmentAssignments.CountAsync());
        Assert.Empty(await AlertsAsync(test));
    }

    [Theory, Providers]
    public async Task Alerts_belong_to_the_csm_open_once_per_kind_and_close_themselves_when_the_condition_clears(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var book = await CycleBook.SeedAsync(test);

        await CycleBook.RunAsync(test, D);
        var opened = await AlertsAsync(test);
        Assert.Equal([(book.B, AlertKind.UsageDecline), (book.B, AlertKind.SilentChurn), (book.B, AlertKind.OverdueFollowUp), (book.C, AlertKind.FailedPayment)],
            opened.Select(a => (a.AccountId, a.Kind)).Order().ToList());
        Assert.All(opened, a => Assert.Equal((book.CsmId, D, (DateOnly?)null), (a.OwnerId, a.OpenedOn, a.ClosedOn)));

        var nextDay = await CycleBook.RunAsync(test, D.AddDays(1));
        Assert.Equal((0, 0), (nextDay.AlertsOpened, nextDay.AlertsClosed));
        Assert.Equal(opened.Select(a => a.Id), (await AlertsAsync(test)).Select(a => a.Id));

        await using (var db = test.Open())
        {
            db.Touchpoints.Add(new Touchpoint(book.B, book.CsmId, D.AddDays(2), TouchpointKind.Call, "Called about usage"));
            db.Payments.Add(new Payment("PAY-C-OK", book.C, book.InvoiceC, new Money(1_500m, "USD"), D.AddDays(2), PaymentMethod.Card, PaymentStatus.Succeeded, null));
            await db.SaveChangesAsync();
        }
        var cleared = await CycleBook.RunAsync(test, D.AddDays(2));
        Assert.Equal(2, cleared.AlertsClosed);
        var after = await AlertsAsync(test);
        Assert.Equal([(AlertKind.UsageDecline, (DateOnly?)null), (AlertKind.SilentChurn, null), (AlertKind.FailedPayment, D.AddDays(2)), (AlertKind.OverdueFollowUp, D.AddDays(2))],
            after.OrderBy(a => a.Kind).Select(a => (a.Kind, a.ClosedOn)).ToList());
    }

    [Theory, Providers]
    public async Task A_band_drop_alert_stays_open_while_the_band_is_below_the_one_it_fell_from(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.ImportDemoAsync(test);
        var settings = CycleBook.Settings with { Rates = CycleBook.DemoRates };
        var day = new DateOnly(2026, 6, 30);
        for (var d = day.AddDays(-20); d < day; d = d.AddDays(1))
            await DailyCycle.RunAsync(new CycleRun(test.Database, d, settings, false), CancellationToken.None);
        var drops = (await AlertsAsync(test)).Where(a => a.Kind == AlertKind.HealthBandDrop && a.ClosedOn is null).ToList();

        await DailyCycle.RunAsync(new CycleRun(test.Database, day, settings, false), CancellationToken.None);
        await using var db = test.Open();
        var bands = await db.HealthSnapshots.AsNoTracking().Where(s => s.AsOf == day).ToDictionaryAsync(s => s.AccountId, s => s.Band);
        var after = await db.Alerts.AsNoTracking().Where(a => a.Kind == AlertKind.HealthBandDrop).ToDictionaryAsync(a => a.Id);
        // The stage reads each open band-drop alert's detail for the band it fell from: an account that has not got back
        // to it keeps the one alert, even on a day its band did not fall again.
        var stillBelow = drops.Where(a => bands[a.AccountId] < AlertRules.BandFellFrom(a.Detail)!.Value).ToList();
        Assert.NotEmpty(stillBelow);
        Assert.All(stillBelow, a => Assert.Null(after[a.Id].ClosedOn));
        Assert.All(drops.Except(stillBelow), a => Assert.Equal(day, after[a.Id].ClosedOn));
    }

    [Theory, Providers]
    public async Task The_database_refuses_a_second_open_alert_of_the_same_kind_for_an_account(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var book = await CycleBook.SeedAsync(test);
        await using var db = test.Open();
        var first = new Alert(book.A, AlertKind.UrgentTicket, book.CsmId, D, "an urgent ticket is unresolved");
        db.Alerts.Add(first);
        await db.SaveChangesAsync();
        db.Alerts.Add(new Alert(book.A, AlertKind.UrgentTicket, book.CsmId, D.AddDays(1), "again"));
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        // Once the first is closed, a new one may open.
        await using var fresh = test.Open();
        var stored = await fresh.Alerts.SingleAsync();
        stored.Close(D.AddDays(1));
        fresh.Alerts.Add(new Alert(book.A, AlertKind.UrgentTicket, book.CsmId, D.AddDays(2), "again"));
        await fresh.SaveChangesAsync();
        Assert.Equal(2, await fresh.Alerts.CountAsync());
    }

    [Theory, Providers]
    public async Task Trends_come_from_the_snapshots_seven_and_thirty_days_earlier(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var book = await CycleBook.SeedAsync(test);
        await CycleBook.RunAsync(test, D.AddDays(-30));
        await CycleBook.RunAsync(test, D.AddDays(-7));
        await CycleBook.RunAsync(test, D);

        await using var db = test.Open();
        var scores = await db.HealthSnapshots.AsNoTracking().Where(s => s.AccountId == book.B).ToDictionaryAsync(s => s.AsOf, s => s.Score);
        var rows = await HealthRows.LoadAsync(db, D, CancellationToken.None);
        var b = rows.Single(r => r.Account == "ACC-B");
        Assert.Equal(scores[D] - scores[D.AddDays(-7)], b.Trend7);
        Assert.Equal(scores[D] - scores[D.AddDays(-30)], b.Trend30);
        Assert.True(b.Trend30 < 0, $"ACC-B fell silent 20 days ago; trend {b.Trend30}");
        Assert.Equal("ACC-B", rows[0].Account); // worst first
        var c = rows.Single(r => r.Account == "ACC-C");
        Assert.NotNull(c.Trend7);
    }

    [Theory, Providers]
    public async Task A_dry_run_computes_the_same_summary_and_writes_nothing(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.SeedAsync(test);
        var dry = await CycleBook.RunAsync(test, D, dryRun: true);
        await using (var db = test.Open())
        {
            Assert.Equal(0, await db.HealthSnapshots.CountAsync());
            Assert.Equal(0, await db.SegmentAssignments.CountAsync());
            Assert.Equal(0, await db.Alerts.CountAsync());
        }
        var real = await CycleBook.RunAsync(test, D);
        Assert.Equal((real.AccountsEvaluated, real.SegmentChanges, real.AlertsOpened, real.BandChanges), (dry.AccountsEvaluated, dry.SegmentChanges, dry.AlertsOpened, dry.BandChanges));
        Assert.Equal(0, dry.SnapshotsWritten);
    }

    [Theory, Providers]
    public async Task Segment_history_keeps_each_change_and_risk_tiers_are_read_for_a_day(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var book = await CycleBook.SeedAsync(test);
        await CycleBook.RunAsync(test, D.AddDays(-7));
        var later = await CycleBook.RunAsync(test, D);

        await using var db = test.Open();
        Assert.Empty(await SegmentAssignments.RiskTiersAsync(db, D.AddDays(-8), CancellationToken.None));
        var before = await SegmentAssignments.RiskTiersAsync(db, D.AddDays(-1), CancellationToken.None);
        var now = await SegmentAssignments.RiskTiersAsync(db, D, CancellationToken.None);
        Assert.Equal(3, before.Count);
        Assert.Equal(RiskTier.Low, before[book.C]);
        // The failed attempt three days before D makes ACC-C's credit risk medium: one risk tier up, one new history row.
        Assert.Equal(RiskTier.Medium, now[book.C]);
        Assert.Equal(RiskTier.Low, now[book.A]);
        Assert.Equal(1, later.SegmentChanges);
        var history = await db.SegmentAssignments.AsNoTracking().Where(s => s.AccountId == book.C).OrderBy(s => s.EffectiveOn).ToListAsync();
        Assert.Equal([(D.AddDays(-7), CreditRisk.Low), (D, CreditRisk.Medium)], history.Select(h => (h.EffectiveOn, h.CreditRisk)).ToList());
        var segments = await SegmentAssignments.AsOfAsync(db, D, CancellationToken.None);
        Assert.Equal(D.AddDays(-7), segments[book.A].Since);

        // The next day compares with each account's latest row (ACC-C's medium of D, not its low of a week before): nothing changed.
        var next = await CycleBook.RunAsync(test, D.AddDays(1));
        Assert.Equal(0, next.SegmentChanges);
        Assert.Equal(2, await db.SegmentAssignments.CountAsync(s => s.AccountId == book.C));
    }

    [Theory, Providers]
    public async Task A_refresh_of_one_account_updates_its_snapshot_and_alerts_and_leaves_the_others(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var book = await CycleBook.SeedAsync(test);
        await CycleBook.RunAsync(test, D);
        var before = await SnapshotRowsAsync(test);
        await using (var db = test.Open())
        {
            db.Touchpoints.Add(new Touchpoint(book.B, book.CsmId, D, TouchpointKind.Call, "Called about usage"));
            db.Touchpoints.Add(new Touchpoint(book.C, book.CsmId, D, TouchpointKind.Email, "Not refreshed"));
            await db.SaveChangesAsync();
        }

        var summary = await HealthRefresh.RefreshAccountsAsync(test.Database, [book.B, 999_999], D, CycleBook.Settings, CancellationToken.None);

        Assert.Equal(1, summary.AccountsEvaluated);
        Assert.Equal(1, summary.AlertsClosed);
        var after = await SnapshotRowsAsync(test);
        Assert.Equal(before.Where(r => !r.StartsWith($"{book.B}|", StringComparison.Ordinal)), after.Where(r => !r.StartsWith($"{book.B}|", StringComparison.Ordinal)));
        Assert.NotEqual(before.Single(r => r.StartsWith($"{book.B}|", StringComparison.Ordinal)), after.Single(r => r.StartsWith($"{book.B}|", StringComparison.Ordinal)));
        var alerts = await AlertsAsync(test);
        Assert.Equal(D, alerts.Single(a => a.AccountId == book.B && a.Kind == AlertKind.OverdueFollowUp).ClosedOn);
        Assert.Null(alerts.Single(a => a.AccountId == book.C).ClosedOn);
    }

    [Theory, Providers]
    public async Task Sums_by_the_database_give_the_same_health_as_every_row_read(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.SeedAsync(test);
        await using var db = test.Open();
        var all = AccountSelection.Range(0, long.MaxValue);
        foreach (var day in new[] { D, D.AddDays(-7), D.AddDays(-60) })
        {
            var summed = await AccountHistoryLoader.LoadDayAsync(db, all, day, CycleBook.Settings, CancellationToken.None);
            var rows = await AccountHistoryLoader.LoadHistoryAsync(db, all, D.AddDays(10), CycleBook.Settings, CancellationToken.None);
            Assert.Equal(3, summed.Count);
            foreach (var (s, r) in summed.Zip(rows))
            {
                var fromSums = AccountEvaluator.Evaluate(s, day, CycleBook.Settings);
                var fromRows = AccountEvaluator.Evaluate(r, day, CycleBook.Settings);
                Assert.Equal(AccountEvaluator.Facts(r, day, CycleBook.Settings).Health.Usage, AccountEvaluator.Facts(s, day, CycleBook.Settings).Health.Usage);
                Assert.Equal((fromRows.Health.Score, fromRows.Health.Signals, fromRows.Health.Explanation, fromRows.Segments),
                    (fromSums.Health.Score, fromSums.Health.Signals, fromSums.Health.Explanation, fromSums.Segments));
            }
        }
    }

    [Theory, Providers]
    public async Task An_account_that_no_longer_bills_gets_a_snapshot_but_no_alerts(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var book = await CycleBook.SeedAsync(test);
        long gone;
        await using (var db = test.Open())
        {
            var account = db.Accounts.Add(new Accounts.Account("ACC-GONE", "Gone Ltd", "Retail", 10, "US", "Starter", book.CsmId, "USD", null, null)).Entity;
            await db.SaveChangesAsync();
            gone = account.Id;
            db.Subscriptions.Add(new Subscription("SUB-GONE", gone, "Starter", new Money(100m, "USD"), new DateOnly(2025, 1, 1), D.AddDays(-40), null, CancellationReason.Voluntary));
            await db.SaveChangesAsync();
        }
        await CycleBook.RunAsync(test, D);
        await using var check = test.Open();
        Assert.Equal(1, await check.HealthSnapshots.CountAsync(s => s.AccountId == gone));
        Assert.Contains("overdue_follow_up", (await check.HealthSnapshots.SingleAsync(s => s.AccountId == gone)).Signals);
        Assert.Equal(0, await check.Alerts.CountAsync(a => a.AccountId == gone));
    }

    [Theory, Providers]
    public async Task The_alerts_of_an_account_that_stopped_billing_close_a_band_drop_among_them(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        var book = await CycleBook.SeedAsync(test);
        long drop, followUp, kept;
        await using (var db = test.Open())
        {
            // Opened while the accounts still billed: a band drop from green (both are red on the day) and a follow-up.
            var alerts = new[]
            {
                new Alert(book.B, AlertKind.HealthBandDrop, book.CsmId, D.AddDays(-45), "health fell from green to red"),
                new Alert(book.B, AlertKind.OverdueFollowUp, book.CsmId, D.AddDays(-45), "no touchpoint within the tier's cadence"),
                new Alert(book.C, AlertKind.HealthBandDrop, book.CsmId, D.AddDays(-45), "health fell from green to red"),
            };
            db.Alerts.AddRange(alerts);
            await db.SaveChangesAsync();
            (drop, followUp, kept) = (alerts[0].Id, alerts[1].Id, alerts[2].Id);
        }
        // The alert stage alone, on outcomes as the health stage leaves them: B no longer bills, C does.
        var run = new CycleRun(test.Database, D, CycleBook.Settings, dryRun: false);
        run.Outcomes.Add(new AccountOutcome(book.B, book.CsmId, HealthBand.Red, HealthBand.Red, HealthSignals.OverdueFollowUp, RiskTier.Low, Billing: false));
        run.Outcomes.Add(new AccountOutcome(book.C, book.CsmId, HealthBand.Red, HealthBand.Red, HealthSignals.None, RiskTier.Low, Billing: true));
        await AlertStage.RunAsync(run, CancellationToken.None);

        await using var check = test.Open();
        var closed = await check.Alerts.AsNoTracking().ToDictionaryAsync(a => a.Id, a => a.ClosedOn);
        Assert.Equal((D, D, (DateOnly?)null), (closed[drop], closed[followUp], closed[kept]));
        Assert.Equal((0, 2), (run.Summary.AlertsOpened, run.Summary.AlertsClosed));
    }
}
