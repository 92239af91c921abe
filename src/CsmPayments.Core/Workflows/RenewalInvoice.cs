using System.Globalization;
using CsmPayments.Billing;

namespace CsmPayments.Workflows;

/// <summary>
/// How renewal invoices are issued, from the <c>settings.renewal_invoice</c> section of the playbook file: this many
/// days before the renewal, for the subscription's MRR × <see cref="TermMonths"/> (the subscription record carries no
/// term of its own), due after the account's payment terms — those of its latest invoice, or
/// <see cref="PaymentTermsDays"/> for an account never invoiced.
/// </summary>
public sealed record RenewalInvoiceSettings(int IssueDaysBefore, int TermMonths, int PaymentTermsDays)
{
    public static RenewalInvoiceSettings Defaults { get; } = new(30, 12, 30);
}

/// <summary>The renewal invoice an approved review issues today.</summary>
public sealed record RenewalInvoiceDraft(string Number, DateOnly IssueDate, DateOnly DueDate, Money Amount, string Basis);

/// <summary>Whether and what renewal invoice an approved review issues on a day — a pure decision.</summary>
public static class RenewalInvoicing
{
    public static DateOnly IssueOn(DateOnly renewalDate, RenewalInvoiceSettings settings) => renewalDate.AddDays(-settings.IssueDaysBefore);

    /// <summary>One number per subscription and renewal: the unique invoice number is what makes issuing happen once.</summary>
    public static string NumberFor(string subscriptionExternalId, DateOnly renewalDate) =>
        string.Create(CultureInfo.InvariantCulture, $"REN-{subscriptionExternalId}-{renewalDate:yyyyMMdd}");

    /// <summary>
    /// The account's payment terms in days: those of its latest invoice (by issue date, then number), when it has one.
    /// </summary>
    public static int? PaymentTerms(IEnumerable<Invoice> accountInvoices) =>
        accountInvoices.OrderByDescending(i => i.IssueDate).ThenByDescending(i => i.Number, StringComparer.Ordinal)
            .Select(i => (int?)(i.DueDate.DayNumber - i.IssueDate.DayNumber)).FirstOrDefault();

    /// <summary>
    /// The invoice to issue on <paramref name="today"/>: only for an approved review that has not issued one, from the
    /// issue date on (a run that was missed, or a late approval, issues it on the next run), and only while the
    /// subscription is active. Null otherwise.
    /// </summary>
    public static RenewalInvoiceDraft? Draft(RenewalReview review, Subscription subscription, int? accountPaymentTermsDays, RenewalInvoiceSettings settings,
        DateOnly today)
    {
        if (!review.InvoiceMayGoOut || review.InvoiceId is not null || !subscription.IsActiveOn(today)) return null;
        if (today < IssueOn(review.RenewalDate, settings)) return null;
        var approved = review.ApprovedAmount;
        var amount = approved ?? subscription.Mrr * settings.TermMonths;
        var basis = approved is not null
            ? $"the amount approved in the review ({approved})"
            : $"MRR {subscription.Mrr} × {settings.TermMonths} months";
        var terms = accountPaymentTermsDays ?? settings.PaymentTermsDays;
        return new RenewalInvoiceDraft(NumberFor(subscription.ExternalId, review.RenewalDate), today, today.AddDays(terms), amount, basis);
    }
}
