using CsmPayments.Billing;
using CsmPayments.Demo;

namespace CsmPayments.Tests.Demo;

/// <summary>The default demo company (300 accounts, seed 42) as of a fixed date, generated once for the tests that read it.</summary>
public sealed class Demo300
{
    public static readonly DateOnly AsOf = new(2026, 6, 30);

    public Demo300()
    {
        Company = new DemoCompany(new DemoSettings(300, 42, AsOf));
        Accounts = Company.Accounts().ToList();
    }

    public DemoCompany Company { get; }
    public IReadOnlyList<DemoAccount> Accounts { get; }

    public IEnumerable<DemoAccount> WithFate(params AccountFate[] fates) => Accounts.Where(a => fates.Contains(a.Profile.Fate));
}

/// <summary>The generated rows as the ledger's facts, so balances come from the same rule the product uses.</summary>
public static class DemoLedger
{
    public static LedgerPosition Position(DateOnly asOf, IEnumerable<DemoAccount> accounts, bool beforeWriteOffs = false)
    {
        var invoices = new List<InvoiceFacts>();
        var payments = new List<PaymentFacts>();
        var credits = new List<CreditNoteFacts>();
        var ids = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var a in accounts)
        {
            foreach (var i in a.Invoices)
            {
                ids[i.Number] = ids.Count + 1;
                var status = beforeWriteOffs && i.Status == InvoiceStatus.Uncollectible ? InvoiceStatus.Open : i.Status;
                invoices.Add(new InvoiceFacts(ids[i.Number], a.Index, i.IssueDate, i.DueDate, i.Amount.Amount, i.Amount.Currency, status));
            }
            foreach (var p in a.Payments)
                payments.Add(new PaymentFacts(a.Index, p.InvoiceNumber is null ? null : ids[p.InvoiceNumber], p.Amount.Amount, p.Amount.Currency,
                    p.PaidOn, p.Status == PaymentStatus.Succeeded));
            foreach (var c in a.CreditNotes)
                credits.Add(new CreditNoteFacts(a.Index, ids[c.InvoiceNumber], c.Amount.Amount, c.Amount.Currency, c.IssuedOn));
        }
        return Ledger.Position(asOf, invoices, payments, credits);
    }

    public static string Bucket(int daysPastDue) => daysPastDue switch
    {
        <= 0 => "current",
        <= 30 => "1-30",
        <= 60 => "31-60",
        <= 90 => "61-90",
        _ => "90+",
    };
}
