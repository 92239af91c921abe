namespace CsmPayments.Billing;

/// <summary>The facts of an invoice that its balance depends on.</summary>
public readonly record struct InvoiceFacts(
    long Id, long AccountId, DateOnly IssueDate, DateOnly DueDate, decimal Amount, string Currency, InvoiceStatus Status)
{
    public static InvoiceFacts Of(Invoice i) => new(i.Id, i.AccountId, i.IssueDate, i.DueDate, i.AmountValue, i.Currency, i.Status);
}

/// <summary>A payment or failed attempt, as far as balances care.</summary>
public readonly record struct PaymentFacts(long AccountId, long? InvoiceId, decimal Amount, string Currency, DateOnly PaidOn, bool Succeeded)
{
    public static PaymentFacts Of(Payment p) => new(p.AccountId, p.InvoiceId, p.AmountValue, p.Currency, p.PaidOn, p.Succeeded);
}

public readonly record struct CreditNoteFacts(long AccountId, long InvoiceId, decimal Amount, string Currency, DateOnly IssuedOn)
{
    public static CreditNoteFacts Of(CreditNote c) => new(c.AccountId, c.InvoiceId, c.AmountValue, c.Currency, c.IssuedOn);
}

/// <summary>An invoice issued on or before the as-of date, with what was still owed on it then.</summary>
public readonly record struct InvoiceBalance(InvoiceFacts Invoice, Money Balance)
{
    public int DaysPastDue(DateOnly asOf) => asOf.DayNumber - Invoice.DueDate.DayNumber;
}

/// <summary>Balances and account credit as of one date.</summary>
public sealed record LedgerPosition(DateOnly AsOf, IReadOnlyList<InvoiceBalance> Invoices, IReadOnlyDictionary<long, Money> CreditByAccount);

/// <summary>
/// Balances as DESIGN §3 defines them: amount − successful payments applied − credit notes applied, using only
/// what is dated on or before the as-of date. Failed attempts change nothing; void and uncollectible invoices carry
/// no balance; what is paid or credited beyond what is owed is account credit, never a negative receivable.
/// </summary>
public static class Ledger
{
    public static LedgerPosition Position(DateOnly asOf, IEnumerable<InvoiceFacts> invoices, IEnumerable<PaymentFacts> payments,
        IEnumerable<CreditNoteFacts> creditNotes)
    {
        var reductions = new Dictionary<long, decimal>();
        var credit = new Dictionary<long, Money>();

        void AddCredit(long accountId, decimal amount, string currency)
        {
            if (amount == 0m) return;
            var money = new Money(amount, currency);
            credit[accountId] = credit.TryGetValue(accountId, out var existing) ? existing + money : money;
        }

        foreach (var c in creditNotes)
            if (c.IssuedOn <= asOf)
                reductions[c.InvoiceId] = reductions.GetValueOrDefault(c.InvoiceId) + c.Amount;

        foreach (var p in payments)
        {
            if (!p.Succeeded || p.PaidOn > asOf) continue;
            if (p.InvoiceId is { } invoiceId)
                reductions[invoiceId] = reductions.GetValueOrDefault(invoiceId) + p.Amount;
            else
                AddCredit(p.AccountId, p.Amount, p.Currency);
        }

        var balances = new List<InvoiceBalance>();
        foreach (var invoice in invoices)
        {
            var reduced = reductions.GetValueOrDefault(invoice.Id);
            reductions.Remove(invoice.Id);
            if (invoice.IssueDate > asOf)
            {
                // Money received before the invoice exists is credit until then.
                AddCredit(invoice.AccountId, reduced, invoice.Currency);
                continue;
            }
            var owed = invoice.Status == InvoiceStatus.Open ? invoice.Amount : 0m;
            var balance = Math.Max(0m, owed - reduced);
            AddCredit(invoice.AccountId, Math.Max(0m, reduced - owed), invoice.Currency);
            balances.Add(new InvoiceBalance(invoice, new Money(balance, invoice.Currency)));
        }

        return new LedgerPosition(asOf, balances, credit);
    }
}
