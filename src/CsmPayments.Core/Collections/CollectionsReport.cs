using CsmPayments.Accounts;
using CsmPayments.Segments;

namespace CsmPayments.Collections;

/// <summary>One account in <c>report collections</c>: where it stands in its playbook, what comes next, what waits and why.</summary>
public sealed record CollectionsReportRow(
    string AccountExternalId,
    string AccountName,
    RiskTier Tier,
    string Stage,
    string? NextStep,
    DateOnly? NextOn,
    string? NextInvoice,
    IReadOnlyList<string> Pauses);

public static class CollectionsReport
{
    /// <summary>
    /// Accounts with something owed, in account order. The stage is the most escalated reminder reached (or the one due
    /// today); <c>—</c> before any. Due today counts as next, on today.
    /// </summary>
    /// <paramref name="notes"/> are further reasons something waits, per account id (held renewal invoices and the like).
    public static IReadOnlyList<CollectionsReportRow> Rows(IEnumerable<(Account Account, CollectionDay Day)> days, DateOnly asOf, ILookup<long, string>? notes = null) =>
        days.Where(d => d.Day.Stage is not null || d.Day.Next is not null || d.Day.Pauses.Count > 0 || !d.Day.IsQuiet || (notes?.Contains(d.Account.Id) ?? false))
            .Select(d =>
            {
                var dueToday = d.Day.Reminder?.Step ?? d.Day.Work.FirstOrDefault()?.Step ?? d.Day.Delivery?.Step;
                var next = dueToday is not null ? (dueToday.Id, (DateOnly?)asOf, (d.Day.Reminder ?? d.Day.Delivery)?.Invoices[0].Number ?? d.Day.Work[0].Invoices[0].Number)
                    : d.Day.Next is { } n ? (n.Step.Id, (DateOnly?)n.On, n.InvoiceNumber) : ((string?)null, (DateOnly?)null, (string?)null);
                var pauses = d.Day.Pauses.Select(p => $"{p.InvoiceNumber}: {p.Pause.Reason}").Distinct().ToList();
                foreach (var held in d.Day.Held)
                    pauses.Add($"no billing contact: {held.Step.Id} for {string.Join(", ", held.Invoices.Select(i => i.Number))} waits until the CSM adds one");
                if (d.Day.BillingContactNeeded && d.Day.Held.Count == 0) pauses.Add("no billing contact: reminders wait");
                if (notes is not null) pauses.AddRange(notes[d.Account.Id]);
                return new CollectionsReportRow(d.Account.ExternalId, d.Account.Name, d.Day.Tier, d.Day.Stage?.Id ?? "—", next.Item1, next.Item2, next.Item3, pauses);
            })
            .ToList();
}
