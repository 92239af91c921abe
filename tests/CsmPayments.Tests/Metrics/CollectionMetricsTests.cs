using CsmPayments.Billing;
using CsmPayments.Metrics;
using static CsmPayments.Tests.Metrics.LedgerBuilder;

namespace CsmPayments.Tests.Metrics;

public sealed class CollectionMetricsTests
{
    private static readonly ReportPeriod Quarter = new(D("2026-01-01"), D("2026-03-31"));

    /// <summary>
    /// One USD account. The DSO window is (2025-12-31, 2026-03-31] (90 days ending 03-31); the CEI period is (01-01, 03-31].
    /// </summary>
    internal static LedgerBuilder SmallLedger()
    {
        var ledger = new LedgerBuilder();
        var inv1 = ledger.Invoice(1, "2025-12-01", "2025-12-31", 1000.00m);
        ledger.Payment(inv1, 600.00m, "2026-01-15").CreditNote(inv1, 100.00m, "2026-02-01");   // owes 300 at the end, 90 days past due
        var inv2 = ledger.Invoice(1, "2026-01-01", "2026-01-31", 2000.00m);                    // issued on S: in AR(S), not in (S, E]
        ledger.Payment(inv2, 2000.00m, "2026-02-10");
        var inv3 = ledger.Invoice(1, "2026-02-15", "2026-03-17", 3000.00m);
        ledger.Payment(inv3, 1000.00m, "2026-03-20").Payment(inv3, 2000.00m, "2026-04-02");  // the second is after E
        var inv4 = ledger.Invoice(1, "2026-03-15", "2026-04-14", 4000.00m);                    // current at E
        ledger.Payment(inv4, 4000.00m, "2026-03-25", succeeded: false);
        ledger.Invoice(1, "2026-02-01", "2026-03-01", 500.00m, status: InvoiceStatus.Void);
        ledger.Invoice(1, "2026-02-01", "2026-03-01", 300.00m, status: InvoiceStatus.Uncollectible);
        ledger.Invoice(1, "2026-04-01", "2026-05-01", 9999.00m);                               // after E
        return ledger;
    }

    [Fact]
    public void Dso_cei_and_average_days_delinquent_on_a_small_hand_computed_ledger()
    {
        var figures = CollectionMetrics.Compute(Quarter, 90, SmallLedger().Facts, Rates);

        // AR(S) on 01-01: inv1 1000 (nothing paid yet) + inv2 2000 = 3000.
        // AR(E) on 03-31: inv1 1000 − 600 − 100 = 300; inv2 0; inv3 3000 − 1000 = 2000; inv4 4000 (failed attempt) = 6300.
        // Current AR(E): inv4 4000 (due 04-14). Void and uncollectible owe nothing.
        // Invoiced in (S, E]: inv3 3000 + inv4 4000 + uncollectible 300 = 7300 (inv2 is on S; void excluded).
        // Invoiced in (E − 90, E] = (2025-12-31, 2026-03-31]: inv2 2000 + 7300 = 9300.
        Assert.Equal(3000.00m, figures.ArAtStart.Amount);
        Assert.Equal(6300.00m, figures.ArAtEnd.Amount);
        Assert.Equal(4000.00m, figures.CurrentArAtEnd.Amount);
        Assert.Equal(7300.00m, figures.InvoicedInPeriod.Amount);
        Assert.Equal(9300.00m, figures.InvoicedInDsoWindow.Amount);

        // DSO = 6300 / 9300 × 90 = 60.967…; best = 4000 / 9300 × 90 = 38.709…; ADD = 2300 / 9300 × 90 = 22.258…
        // CEI = (3000 + 7300 − 6300) / (3000 + 7300 − 4000) × 100 = 4000 / 6300 × 100 = 63.492…
        Assert.Equal(60.967742m, Math.Round(figures.Dso!.Value, 6));
        Assert.Equal(38.709677m, Math.Round(figures.BestPossibleDso!.Value, 6));
        Assert.Equal(22.258065m, Math.Round(figures.AverageDaysDelinquent!.Value, 6));
        Assert.Equal(63.492063m, Math.Round(figures.Cei!.Value, 6));
    }

    [Fact]
    public void Invoiced_in_an_interval_excludes_its_start_includes_its_end_and_skips_void_invoices()
    {
        var ledger = new LedgerBuilder();
        ledger.Invoice(1, "2025-12-31", "2026-01-30", 1.00m);   // on D − 90: outside (D − 90, D]
        ledger.Invoice(1, "2026-01-01", "2026-01-31", 2.00m);   // D − 89: inside
        ledger.Invoice(1, "2026-03-31", "2026-04-30", 4.00m);   // on D: inside
        ledger.Invoice(1, "2026-04-01", "2026-04-30", 8.00m);   // after D
        ledger.Invoice(1, "2026-02-01", "2026-03-01", 16.00m, status: InvoiceStatus.Void);
        ledger.Invoice(1, "2026-02-01", "2026-03-01", 32.00m, "EUR", InvoiceStatus.Uncollectible); // 34.56 USD

        Assert.Equal(40.56m, CollectionMetrics.InvoicedIn(D("2025-12-31"), D("2026-03-31"), ledger.Facts.Invoices, Rates));
    }

    [Fact]
    public void Dso_and_average_days_delinquent_do_not_apply_when_nothing_was_invoiced_in_the_window()
    {
        var ledger = new LedgerBuilder();
        ledger.Invoice(1, "2025-06-01", "2025-07-01", 1000.00m); // old, unpaid, 273 days past due

        var figures = CollectionMetrics.Compute(Quarter, 90, ledger.Facts, Rates);

        Assert.Equal(0m, figures.InvoicedInDsoWindow.Amount);
        Assert.Null(figures.Dso);
        Assert.Null(figures.BestPossibleDso);
        Assert.Null(figures.AverageDaysDelinquent);
        // CEI still applies: (1000 + 0 − 1000) / (1000 + 0 − 0) × 100 = 0: nothing of what was due was collected.
        Assert.Equal(0m, figures.Cei);
    }

    [Fact]
    public void Cei_does_not_apply_when_there_was_nothing_to_collect()
    {
        var ledger = new LedgerBuilder();
        ledger.Invoice(1, "2026-03-20", "2026-04-19", 500.00m); // the only receivable is not yet due

        var figures = CollectionMetrics.Compute(Quarter, 90, ledger.Facts, Rates);

        // Denominator: AR(S) 0 + invoiced 500 − current AR(E) 500 = 0.
        Assert.Null(figures.Cei);
        // DSO still applies: 500 / 500 × 90 = 90 days, all of it current, so no days delinquent.
        Assert.Equal(90m, figures.Dso);
        Assert.Equal(90m, figures.BestPossibleDso);
        Assert.Equal(0m, figures.AverageDaysDelinquent);
    }

    [Fact]
    public void An_empty_ledger_gives_no_ratios()
    {
        var figures = CollectionMetrics.Compute(Quarter, 90, MetricsFacts.Empty, Rates);

        Assert.Null(figures.Dso);
        Assert.Null(figures.Cei);
        Assert.Null(figures.AverageDaysDelinquent);
        Assert.True(figures.ArAtEnd.IsZero);
    }

    [Fact]
    public void Everything_collected_gives_a_cei_of_100_and_a_dso_of_zero()
    {
        var ledger = new LedgerBuilder();
        var invoice = ledger.Invoice(1, "2026-02-01", "2026-03-03", 800.00m, "EUR");
        ledger.Payment(invoice, 800.00m, "2026-03-01");

        var figures = CollectionMetrics.Compute(Quarter, 90, ledger.Facts, Rates);

        // CEI = (0 + 864 − 0) / (0 + 864 − 0) × 100; DSO = 0 / 864 × 90.
        Assert.Equal(100m, figures.Cei);
        Assert.Equal(0m, figures.Dso);
        Assert.Equal(864.00m, figures.InvoicedInPeriod.Amount);
    }

    [Fact]
    public void A_period_that_ends_before_it_starts_is_refused() =>
        Assert.Throws<ArgumentException>(() => new ReportPeriod(D("2026-04-01"), D("2026-03-31")));
}
