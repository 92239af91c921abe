using CsmPayments.Cli.Reports;
using CsmPayments.Metrics;
using CsmPayments.Organisation;
using static CsmPayments.Tests.Metrics.LedgerBuilder;

namespace CsmPayments.Tests.Metrics;

public sealed class ReportOutputTests
{
    [Theory]
    [InlineData("60.95", "61.0")]
    [InlineData("60.9499", "60.9")]
    [InlineData("-0.04", "0.0")]
    public void Days_round_half_away_from_zero_to_one_decimal(string exact, string shown) =>
        Assert.Equal(shown, ReportOutput.Days(decimal.Parse(exact, System.Globalization.CultureInfo.InvariantCulture)));

    [Theory]
    [InlineData("0.93125", "0.9313", "93.1 %")]
    [InlineData("0.93149", "0.9315", "93.1 %")]
    [InlineData("1", "1.0000", "100.0 %")]
    public void Ratios_round_to_four_decimals_and_percentages_to_one(string exact, string ratio, string percent)
    {
        var value = decimal.Parse(exact, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(ratio, ReportOutput.Ratio(value));
        Assert.Equal(percent, ReportOutput.Percent(value));
    }

    [Fact]
    public void Figures_that_do_not_apply_are_null_in_json_and_empty_in_csv()
    {
        var period = new ReportPeriod(D("2026-01-01"), D("2026-03-31"));
        var collections = CollectionMetrics.Compute(period, 90, MetricsFacts.Empty, Rates);
        var retention = RetentionMetrics.Compute(period, [], Rates);

        Assert.Equal("""{"from":"2026-01-01","asOf":"2026-03-31","currency":"USD","dso":null,"cei":null,"averageDaysDelinquent":null,"grr":null,"nrr":null,"logoChurn":null,"delinquentChurn":null}""",
            MetricsOutput.Json(collections, retention));
        Assert.Contains("2026-01-01,2026-03-31,USD,dso,,days", MetricsOutput.Csv(collections, retention));
    }

    [Fact]
    public void Amounts_carry_the_base_currency_s_minor_digits()
    {
        var ledger = new LedgerBuilder();
        ledger.Invoice(1, "2026-03-01", "2026-04-30", 10.01m);
        ledger.Invoice(2, "2026-01-01", "2026-01-31", 2.005m, "KWD"); // three minor digits
        var yen = new ExchangeRates("JPY", new Dictionary<string, decimal> { ["USD"] = 150m, ["KWD"] = 490m });

        var aging = ArAging.Compute(D("2026-03-31"), ledger.Facts, yen);

        // 10.01 × 150 = 1501.5 → 1502 (to even); 2.005 × 490 = 982.45 → 982; total 2483.95 → 2484.
        Assert.Equal("""{"asOf":"2026-03-31","currency":"JPY","buckets":{"current":1502,"1-30":0,"31-60":982,"61-90":0,"90+":0},"total":2484}""",
            AgingOutput.Json(aging));
    }
}
