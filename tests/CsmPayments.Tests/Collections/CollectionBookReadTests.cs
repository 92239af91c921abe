using CsmPayments.Billing;
using CsmPayments.Collections;
using CsmPayments.Storage;
using CsmPayments.Tests.Cycle;
using CsmPayments.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Tests.Collections;

/// <summary>
/// The collection book reads a range's owed invoices, its steps done and its billing contacts by ordinal (LeanQuery):
/// the same rows, value for value, as the EF queries that state what is read.
/// </summary>
public sealed class CollectionBookReadTests
{
    [Theory]
    [Providers]
    public async Task A_range_reads_the_owed_invoices_and_the_steps_done_that_EF_reads(StorageProvider provider)
    {
        await using var test = await TestDatabase.CreateAsync(provider);
        await CycleBook.ImportDemoAsync(test);
        // Some weeks before the demo's last day, so that some owed invoices were issued after it and are left out.
        var asOf = CycleBook.AsOf.AddDays(-20);
        await using var db = test.Open();
        var accounts = await db.Accounts.OrderBy(a => a.Id).Select(a => a.Id).ToListAsync();
        // The middle half of the accounts, so that rows of accounts on either side must be left out.
        var (from, to) = (accounts[accounts.Count / 4], accounts[accounts.Count * 3 / 4]);
        var invoices = await db.Invoices.OrderBy(i => i.Id).ToListAsync();
        Assert.Contains(invoices, i => i.AccountId < from);
        var inRange = invoices.Where(i => i.AccountId >= from && i.AccountId <= to).ToList();
        var owed = inRange.Where((_, k) => k % 2 == 0).Select(i => i.Id).ToArray();
        Assert.Contains(inRange, i => i.IssueDate > asOf && owed.Contains(i.Id));

        // Steps done of every kind the day reads (for an owed invoice, acted today, a plan reminder) and of none, in and
        // out of the range.
        var notOwed = inRange.Where(i => !owed.Contains(i.Id)).ToList();
        var outside = invoices.Where(i => i.AccountId < from || i.AccountId > to).ToList();
        void Done(IEnumerable<Invoice> some, string step, DateOnly on)
        {
            foreach (var invoice in some)
                db.CollectionStepsDone.Add(new CollectionStepDone(invoice.AccountId, invoice.Id, step, on, $"key:{invoice.Id}:{step}"));
        }
        var owedInvoices = inRange.Where(i => owed.Contains(i.Id)).ToList();
        Done(owedInvoices.Take(5), "csm-30", asOf.AddDays(-10));
        Done(owedInvoices.Skip(5).Take(5), "cfo-90", asOf.AddDays(-40));
        Done(notOwed.Take(5), "controller-60", asOf);
        Done(notOwed.Skip(5).Take(5), "plan-7", asOf.AddDays(-3));
        Done(notOwed.Skip(10).Take(5), "csm-30", asOf.AddDays(-10));
        Done(outside.Take(5), "controller-60", asOf);
        await db.SaveChangesAsync();

        var book = await CollectionBook.LoadRangeAsync(db, asOf, from, to, owed, CancellationToken.None);

        var expectedInvoices = await db.Invoices.AsNoTracking().Where(i => owed.Contains(i.Id) && i.IssueDate <= asOf).OrderBy(i => i.Id).ToListAsync();
        Assert.NotEmpty(expectedInvoices);
        Assert.Equal(expectedInvoices.Count, book.Invoices.Count);
        foreach (var e in expectedInvoices)
        {
            var read = book.Invoices[e.Id];
            Assert.Equal((e.AccountId, e.Number, e.IssueDate, e.DueDate, e.AmountValue, e.Currency, e.PoNumber, e.Status),
                (read.AccountId, read.Number, read.IssueDate, read.DueDate, read.AmountValue, read.Currency, read.PoNumber, read.Status));
        }

        var expectedDone = await db.CollectionStepsDone.AsNoTracking()
            .Where(d => d.AccountId >= from && d.AccountId <= to && (owed.Contains(d.InvoiceId) || d.ActedOn == asOf || d.StepId.StartsWith("plan-")))
            .Select(d => new { d.AccountId, d.InvoiceId, d.StepId, d.ActedOn, d.ActionKey }).ToListAsync();
        var readDone = book.Done.SelectMany(g => g).Select(d => new { d.AccountId, d.InvoiceId, d.StepId, d.ActedOn, d.ActionKey }).ToList();
        Assert.Equal(20, expectedDone.Count);
        Assert.Equal(4, expectedDone.Select(d => d.StepId).Distinct().Count());
        Assert.Equal(expectedDone.OrderBy(d => d.InvoiceId).ThenBy(d => d.StepId), readDone.OrderBy(d => d.InvoiceId).ThenBy(d => d.StepId));
        Assert.True(await db.CollectionStepsDone.CountAsync() > readDone.Count);

        // Without owed invoices, the range's whole ledger and every step done of the range.
        var whole = await CollectionBook.LoadRangeAsync(db, asOf, from, to, null, CancellationToken.None);
        Assert.Equal(await db.CollectionStepsDone.CountAsync(d => d.AccountId >= from && d.AccountId <= to), whole.Done.SelectMany(g => g).Count());
        Assert.Equal(inRange.Count(i => i.IssueDate <= asOf), whole.Invoices.Count);
    }
}
