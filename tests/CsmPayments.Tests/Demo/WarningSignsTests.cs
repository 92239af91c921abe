using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Demo;
using CsmPayments.Engagement;

namespace CsmPayments.Tests.Demo;

/// <summary>
/// The demo exists to show that churn can be seen coming. These tests look at the 90 days before an account left
/// (or before the as-of date, for those still here) with five plain signals, and check that churners show them and
/// healthy accounts mostly do not — without any health score, so the data itself carries the signal.
/// </summary>
public sealed class WarningSignsTests(Demo300 demo) : IClassFixture<Demo300>
{
    private const int Window = 90;

    [Flags]
    private enum Sign
    {
        None = 0,
        UsageDecay = 1,
        Detractor = 2,
        UrgentTicket = 4,
        PaymentTrouble = 8,
        FewerTouchpoints = 16,
    }

    private static Sign SignsBefore(DemoAccount a, DateOnly until)
    {
        var from = until.AddDays(-Window);
        var signs = Sign.None;

        var recent = a.Usage.Where(u => u.Date >= until.AddDays(-30) && u.Date < until).ToList();
        var before = a.Usage.Where(u => u.Date >= until.AddDays(-2 * Window) && u.Date < from).ToList();
        if (recent.Count > 0 && before.Count >= 30 && recent.Average(u => u.ActiveUsers) < 0.75 * before.Average(u => u.ActiveUsers))
            signs |= Sign.UsageDecay;

        if (a.NpsResponses.Any(n => n.RespondedOn >= from && n.RespondedOn < until && n.Score <= 6))
            signs |= Sign.Detractor;

        if (a.Tickets.Any(t => t.OpenedOn >= from && t.OpenedOn < until && t.Priority == TicketPriority.Urgent))
            signs |= Sign.UrgentTicket;

        var invoices = a.Invoices.ToDictionary(i => i.Number);
        var failedOrLate = a.Payments.Any(p => p.PaidOn >= from && p.PaidOn < until && p.InvoiceNumber is { } number
            && (p.Status == PaymentStatus.Failed || p.PaidOn > invoices[number].DueDate.AddDays(10)));
        var overdue = DemoLedger.Position(until, [a], beforeWriteOffs: true).Invoices.Any(i => i.Balance.IsPositive && i.DaysPastDue(until) > 10);
        if (failedOrLate || overdue) signs |= Sign.PaymentTrouble;

        // Compared with the account's own pace over the months before, so a low-touch account is not flagged for being low touch.
        double PerDay(DateOnly start, DateOnly end) =>
            a.Touchpoints.Count(t => t.UserEmail == a.CsmEmail && t.OccurredOn >= start && t.OccurredOn < end) / (double)(end.DayNumber - start.DayNumber);
        var historyFrom = a.Usage.Count > 0 ? a.Usage[0].Date : from;
        if (from.DayNumber - historyFrom.DayNumber >= Window && PerDay(from, until) < 0.6 * PerDay(historyFrom, from))
            signs |= Sign.FewerTouchpoints;

        return signs;
    }

    private static int Count(Sign signs) => System.Numerics.BitOperations.PopCount((uint)signs);

    private static DateOnly LeftOn(DemoAccount a) => a.Subscriptions[^1].EndDate!.Value;

    [Fact]
    public void Churners_show_at_least_two_warning_signs_in_the_90_days_before_they_leave()
    {
        var churners = demo.WithFate(AccountFate.VoluntaryChurn, AccountFate.DelinquentChurn).ToList();
        var warned = churners.Where(a => Count(SignsBefore(a, LeftOn(a))) >= 2).ToList();
        Assert.True(warned.Count >= 0.9 * churners.Count, $"{warned.Count} of {churners.Count} churners showed two or more signs; not: " +
            string.Join("; ", churners.Except(warned).Select(a => $"{a.ExternalId} {a.Profile.Fate} {a.Profile.Payment} {a.Profile.Tier} {a.Profile.TroubleFrom}..{a.Profile.EndedOn}: {SignsBefore(a, LeftOn(a))}")));

        // Each kind of sign shows up among the churners, not only one of them.
        var churnSigns = churners.Select(a => SignsBefore(a, LeftOn(a))).ToList();
        foreach (var sign in new[] { Sign.UsageDecay, Sign.Detractor, Sign.UrgentTicket, Sign.PaymentTrouble })
            Assert.True(churnSigns.Count(s => s.HasFlag(sign)) >= churners.Count / 3, $"{sign}: {churnSigns.Count(s => s.HasFlag(sign))}");
        // Low-touch accounts hear from their CSM a few times a year, too seldom to see fewer; the others go quiet.
        var touched = churners.Where(a => a.Profile.Tier != ServiceTier.Low).ToList();
        var quieter = touched.Count(a => SignsBefore(a, LeftOn(a)).HasFlag(Sign.FewerTouchpoints));
        Assert.True(quieter >= touched.Count / 3, $"{quieter} of {touched.Count} medium- and high-touch churners heard less from their CSM");

        // Delinquent churn is announced by payments above all.
        Assert.All(demo.WithFate(AccountFate.DelinquentChurn), a => Assert.True(SignsBefore(a, LeftOn(a)).HasFlag(Sign.PaymentTrouble), a.ExternalId));
    }

    [Fact]
    public void Healthy_accounts_mostly_show_no_more_than_one_sign_as_of_the_as_of_date()
    {
        var healthy = demo.WithFate(AccountFate.Healthy, AccountFate.Growing, AccountFate.New).ToList();
        var flagged = healthy.Count(a => Count(SignsBefore(a, Demo300.AsOf)) >= 2);
        Assert.True(flagged <= 0.15 * healthy.Count, $"{flagged} of {healthy.Count} healthy accounts show two or more signs");
    }

    [Fact]
    public void Accounts_at_risk_now_show_the_signs_now()
    {
        var atRisk = demo.WithFate(AccountFate.AtRisk, AccountFate.Delinquent).ToList();
        var warned = atRisk.Count(a => Count(SignsBefore(a, Demo300.AsOf)) >= 2);
        Assert.True(warned >= 0.85 * atRisk.Count, $"{warned} of {atRisk.Count} accounts at risk show two or more signs");
        Assert.All(demo.WithFate(AccountFate.Delinquent), a => Assert.True(SignsBefore(a, Demo300.AsOf).HasFlag(Sign.PaymentTrouble)));
        Assert.All(demo.WithFate(AccountFate.SilentChurn), a => Assert.True(SignsBefore(a, Demo300.AsOf).HasFlag(Sign.UsageDecay), a.ExternalId));
    }

    [Fact]
    public void Recovered_accounts_showed_signs_earlier_in_the_year_and_not_now()
    {
        var recovered = demo.WithFate(AccountFate.Recovered).ToList();
        var then = recovered.Count(a => Count(SignsBefore(a, a.Profile.TroubleUntil!.Value)) >= 2);
        var now = recovered.Count(a => Count(SignsBefore(a, Demo300.AsOf)) >= 2);
        Assert.True(then >= 0.6 * recovered.Count, $"{then} of {recovered.Count} showed signs during their rough patch");
        Assert.True(now <= 0.2 * recovered.Count, $"{now} of {recovered.Count} still show signs");
    }
}
