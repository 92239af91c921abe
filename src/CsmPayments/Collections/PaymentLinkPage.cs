using System.Net;
using System.Text;
using CsmPayments.Billing;
using CsmPayments.Collections;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Collections;

/// <summary>
/// The page a reminder's payment link opens: the account's open invoices and how to pay them. A tampered link is
/// refused (404), an expired one too (410), both without saying anything about the account.
/// </summary>
public static class PaymentLinkPage
{
    public static IEndpointRouteBuilder MapPaymentLinkPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/pay/{token}", ShowAsync).WithName("PaymentLinkPage").ExcludeFromDescription();
        return endpoints;
    }

    public static async Task<ContentHttpResult> ShowAsync(string token, PaymentLinks links, PaymentPageContext context, CancellationToken ct)
    {
        var today = context.Organisation.Today(context.Clock);
        var check = links.Check(token, today);
        if (check.Status == PaymentLinkStatus.Invalid)
            return Page(HttpStatusCode.NotFound, "Link not valid", "<p>This payment link is not valid. Please use the link in your most recent email from us, or reply to that email.</p>", context);
        if (check.Status == PaymentLinkStatus.Expired)
            return Page(HttpStatusCode.Gone, "Link expired", "<p>This payment link has expired. Reply to the email it came in and we will send you a new one.</p>", context);

        await using var db = context.Database.Open();
        var account = await db.Accounts.AsNoTracking().SingleOrDefaultAsync(a => a.Id == check.AccountId, ct);
        if (account is null) return Page(HttpStatusCode.NotFound, "Link not valid", "<p>This payment link is not valid.</p>", context);
        var invoices = await db.Invoices.AsNoTracking().Where(i => i.AccountId == account.Id && i.IssueDate <= today).ToListAsync(ct);
        var payments = await db.Payments.AsNoTracking().Where(p => p.AccountId == account.Id && p.PaidOn <= today).ToListAsync(ct);
        var credits = await db.CreditNotes.AsNoTracking().Where(c => c.AccountId == account.Id && c.IssuedOn <= today).ToListAsync(ct);
        var position = Ledger.Position(today, invoices.Select(InvoiceFacts.Of), payments.Select(PaymentFacts.Of), credits.Select(CreditNoteFacts.Of));
        var byId = invoices.ToDictionary(i => i.Id);
        var open = position.Invoices.Where(b => b.Balance.IsPositive).OrderBy(b => b.Invoice.DueDate).ToList();

        var html = new StringBuilder();
        html.Append("<p>Open invoices for <strong>").Append(E(account.Name)).Append("</strong> on ").Append(E(today.ToString("yyyy-MM-dd"))).Append(".</p>");
        if (open.Count == 0) html.Append("<p>Nothing is open: thank you, your account is fully paid.</p>");
        else
        {
            html.Append("<table><thead><tr><th>Invoice</th><th>PO</th><th>Issued</th><th>Due</th><th>Amount</th><th>Open</th></tr></thead><tbody>");
            foreach (var b in open)
            {
                var invoice = byId[b.Invoice.Id];
                html.Append("<tr><td>").Append(E(invoice.Number)).Append("</td><td>").Append(E(invoice.PoNumber ?? "")).Append("</td><td>")
                    .Append(invoice.IssueDate.ToString("yyyy-MM-dd")).Append("</td><td>").Append(invoice.DueDate.ToString("yyyy-MM-dd"))
                    .Append(b.DaysPastDue(today) > 0 ? $" ({b.DaysPastDue(today)} days overdue)" : "").Append("</td><td>").Append(E(invoice.Amount.ToString()))
                    .Append("</td><td>").Append(E(b.Balance.ToString())).Append("</td></tr>");
            }
            var total = open.Select(b => b.Balance).Aggregate((a, c) => a + c);
            html.Append("</tbody><tfoot><tr><th colspan=\"5\">Total open</th><th>").Append(E(total.ToString())).Append("</th></tr></tfoot></table>");
        }
        html.Append("<h2>How to pay</h2><p>").Append(E(context.Collections.HowToPay)).Append("</p>");
        html.Append("<p>Questions about an invoice, or already paid? Reply to the email this link came in.</p>");
        return Page(HttpStatusCode.OK, $"{account.Name}: open invoices", html.ToString(), context);
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static ContentHttpResult Page(HttpStatusCode status, string title, string body, PaymentPageContext context) =>
        TypedResults.Content($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="robots" content="noindex">
            <meta name="viewport" content="width=device-width, initial-scale=1"><title>{{E(title)}} - {{E(context.Organisation.Name)}}</title>
            <style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#222}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd}</style>
            </head><body><h1>{{E(title)}}</h1>{{body}}<footer><p>{{E(context.Organisation.Name)}}</p></footer></body></html>
            """, "text/html; charset=utf-8", Encoding.UTF8, (int)status);
}
