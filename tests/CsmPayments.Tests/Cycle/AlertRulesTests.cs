using CsmPayments.Health;
using CsmPayments.Work;

namespace CsmPayments.Tests.Cycle;

public sealed class AlertRulesTests
{
    private static AlertSubject Subject(HealthSignals signals, HealthBand band = HealthBand.Green, HealthBand? previous = HealthBand.Green) =>
        new(7, 3, signals, band, previous);

    private static readonly Dictionary<AlertKind, string> None = [];

    [Theory]
    [InlineData(HealthSignals.UsageDecline, AlertKind.UsageDecline)]
    [InlineData(HealthSignals.SilentChurn, AlertKind.SilentChurn)]
    [InlineData(HealthSignals.FailedPayment, AlertKind.FailedPayment)]
    [InlineData(HealthSignals.OverdueFollowUp, AlertKind.OverdueFollowUp)]
    [InlineData(HealthSignals.UrgentTicket, AlertKind.UrgentTicket)]
    public void Each_signal_opens_its_alert_for_the_accounts_csm(HealthSignals signal, AlertKind kind)
    {
        var (open, close) = AlertRules.Reconcile(Subject(signal), None);
        var alert = Assert.Single(open);
        Assert.Equal((7L, kind, 3L), (alert.AccountId, alert.Kind, alert.OwnerId));
        Assert.Empty(close);
    }

    [Fact]
    public void Signals_without_an_alert_kind_open_nothing() =>
        Assert.Empty(AlertRules.Reconcile(Subject(HealthSignals.Detractor | HealthSignals.Onboarding | HealthSignals.OverdueInvoice), None).Open);

    [Fact]
    public void An_alert_already_open_is_not_opened_again()
    {
        var (open, close) = AlertRules.Reconcile(Subject(HealthSignals.SilentChurn), new Dictionary<AlertKind, string> { [AlertKind.SilentChurn] = "x" });
        Assert.Empty(open);
        Assert.Empty(close);
    }

    [Fact]
    public void An_open_alert_closes_when_its_condition_clears()
    {
        var (open, close) = AlertRules.Reconcile(Subject(HealthSignals.UsageDecline),
            new Dictionary<AlertKind, string> { [AlertKind.SilentChurn] = "x", [AlertKind.UsageDecline] = "y" });
        Assert.Empty(open);
        Assert.Equal([AlertKind.SilentChurn], close);
    }

    [Fact]
    public void A_band_drop_opens_with_the_band_it_fell_from_and_stays_open_until_the_band_is_back()
    {
        var (open, _) = AlertRules.Reconcile(Subject(HealthSignals.None, HealthBand.Yellow, HealthBand.Green), None);
        var drop = Assert.Single(open);
        Assert.Equal(AlertKind.HealthBandDrop, drop.Kind);
        Assert.Equal("health fell from green to yellow", drop.Detail);

        var openDrop = new Dictionary<AlertKind, string> { [AlertKind.HealthBandDrop] = drop.Detail };
        // Still yellow the next day (the previous day was yellow too): stays open.
        Assert.Empty(AlertRules.Reconcile(Subject(HealthSignals.None, HealthBand.Yellow, HealthBand.Yellow), openDrop).Close);
        // Falls further: still the one alert.
        Assert.Empty(AlertRules.Reconcile(Subject(HealthSignals.None, HealthBand.Red, HealthBand.Yellow), openDrop).Open);
        // Back to green: closes.
        Assert.Equal([AlertKind.HealthBandDrop], AlertRules.Reconcile(Subject(HealthSignals.None, HealthBand.Green, HealthBand.Red), openDrop).Close);
    }

    [Fact]
    public void Without_an_earlier_day_no_band_drop_is_seen() =>
        Assert.Empty(AlertRules.Reconcile(Subject(HealthSignals.None, HealthBand.Red, previous: null), None).Open);

    [Fact]
    public void An_open_band_drop_whose_detail_names_no_band_holds_on_the_day_the_band_fell_only()
    {
        var unreadable = new Dictionary<AlertKind, string> { [AlertKind.HealthBandDrop] = "written by hand" };
        Assert.Empty(AlertRules.Reconcile(Subject(HealthSignals.None, HealthBand.Red, HealthBand.Yellow), unreadable).Close);
        Assert.Equal([AlertKind.HealthBandDrop], AlertRules.Reconcile(Subject(HealthSignals.None, HealthBand.Red, HealthBand.Red), unreadable).Close);
    }

    [Fact]
    public void The_kinds_holding_are_those_the_signals_and_the_band_name()
    {
        var subject = Subject(HealthSignals.SilentChurn | HealthSignals.UrgentTicket | HealthSignals.BrokenPromise | HealthSignals.Detractor, HealthBand.Yellow, HealthBand.Green);
        Assert.Equal([AlertKind.SilentChurn, AlertKind.UrgentTicket, AlertKind.HealthBandDrop, AlertKind.BrokenPromise],
            AlertRules.Holding(subject, bandDropFrom: null).Kinds().ToList());
        // An open drop from yellow: the account is back at yellow, so the drop no longer holds.
        Assert.DoesNotContain(AlertKind.HealthBandDrop, AlertRules.Holding(subject, HealthBand.Yellow).Kinds());
        Assert.True(AlertRules.Holds(AlertKind.HealthBandDrop, subject with { Band = HealthBand.Red }, "health fell from yellow to red"));
        Assert.Equal(Enum.GetValues<AlertKind>().Length, AlertKinds.Count);
    }

    [Fact]
    public void An_alert_closes_once_and_never_before_it_opened()
    {
        var alert = new Alert(1, AlertKind.SilentChurn, 2, new DateOnly(2026, 6, 1), "usage has stopped");
        Assert.Throws<InvalidOperationException>(() => alert.Close(new DateOnly(2026, 5, 31)));
        alert.Close(new DateOnly(2026, 6, 3));
        Assert.False(alert.IsOpen);
        Assert.True(alert.IsOpenOn(new DateOnly(2026, 6, 2)));
        Assert.False(alert.IsOpenOn(new DateOnly(2026, 6, 3)));
        Assert.Throws<InvalidOperationException>(() => alert.Close(new DateOnly(2026, 6, 4)));
    }
}
