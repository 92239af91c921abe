using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CsmPayments.Cli.Reports;

public enum ReportFormat { Table, Json, Csv }

/// <summary>
/// How report figures are written. Computations stay exact; rounding happens here, only at output:
/// money to its currency's minor unit (already so in <see cref="Money"/>), days (DSO, average days delinquent) and
/// CEI to one decimal, ratios (GRR, NRR, churn) to four decimals as fractions, percentages in tables to one decimal.
/// Days and ratios round half away from zero, as a spreadsheet's ROUND does.
/// </summary>
public static class ReportOutput
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public const string DateFormat = "yyyy-MM-dd";

    /// <summary>Keys such as <c>90+</c> stay readable; the default encoder would write <c>90\u002B</c>.</summary>
    public static JsonWriterOptions JsonOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Date(DateOnly date) => date.ToString(DateFormat, Invariant);

    /// <summary>An amount with exactly its currency's minor digits and no grouping, for JSON and CSV.</summary>
    public static string Amount(Money money) => money.Amount.ToString("F" + Currencies.MinorDigits(money.Currency), Invariant);

    /// <summary>An amount with grouping for people: 12,345.67.</summary>
    public static string AmountForPeople(Money money) => money.Amount.ToString("N" + Currencies.MinorDigits(money.Currency), Invariant);

    public static string? Days(decimal? days) => Fixed(days, 1);

    public static string? Cei(decimal? percent) => Fixed(percent, 1);

    public static string? Ratio(decimal? ratio) => Fixed(ratio, 4);

    /// <summary>A fraction shown as a percentage with one decimal: 0.93149 → "93.1 %"; null → "n/a".</summary>
    public static string Percent(decimal? fraction) => fraction is { } f ? Fixed(f * 100m, 1) + " %" : "n/a";

    private static string? Fixed(decimal? value, int decimals)
    {
        if (value is not { } v) return null;
        var rounded = Math.Round(v, decimals, MidpointRounding.AwayFromZero);
        if (rounded == 0m) rounded = 0m; // no "-0.0"
        return rounded.ToString("F" + decimals, Invariant);
    }

    /// <summary>One CSV record: fields quoted only when they need it (RFC 4180).</summary>
    public static string CsvLine(params string?[] fields)
    {
        var line = new StringBuilder();
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0) line.Append(',');
            var field = fields[i] ?? "";
            if (field.IndexOfAny([',', '"', '\n', '\r']) >= 0)
                line.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            else
                line.Append(field);
        }
        return line.ToString();
    }
}
