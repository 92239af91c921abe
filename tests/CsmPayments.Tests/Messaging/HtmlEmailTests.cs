using CsmPayments.Messaging;
using CsmPayments.Storage;
using CsmPayments.Tests.Collections;
using CsmPayments.Tests.Infrastructure;
using MimeKit;
using static CsmPayments.Tests.Collections.CollectionsWorld;

namespace CsmPayments.Tests.Messaging;

/// <summary>Every message goes as multipart/alternative: the plain text and an HTML part, both from the shipped Liquid templates.</summary>
public sealed class HtmlEmailTests
{
    [Theory, Providers]
    public async Task A_reminder_arrives_with_a_plain_text_and_an_html_part_and_the_html_escapes_every_value(StorageProvider provider)
    {
        await using var world = await CollectionsWorld.CreateAsync(provider);
        await using var smtp = await SmtpTestServer.StartAsync();
        var account = await world.AccountAsync("Tom & Jerry <b>Bold</b>", billingEmail: "ap@tomandjerry.test");
        await world.InvoiceAsync(account, "INV-<7>", Start.AddDays(-33), Start.AddDays(-3), 800m, po: "PO \"42\" & <script>alert(1)</script>");

        await world.RunDayAsync(Start);
        await world.Dispatcher(smtp.Port).DeliverDueAsync();

        var mail = Assert.Single(smtp.Received());
        var alternative = Assert.IsType<MultipartAlternative>(mail.Body);
        Assert.Equal(["text/plain", "text/html"], alternative.Select(p => p.ContentType.MimeType));
        Assert.Contains("Invoice INV-<7> (PO PO \"42\" & <script>alert(1)</script>): 800.00 USD open", mail.TextBody);

        var html = mail.HtmlBody ?? throw new InvalidOperationException("no HTML part");
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<b>Bold</b>", html);
        Assert.Contains("PO &quot;42&quot; &amp; &lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("Tom &amp; Jerry &lt;b&gt;Bold&lt;/b&gt;", html);
        Assert.Contains("<td style=\"padding:8px;border-bottom:1px solid #e5e7eb;\">INV-&lt;7&gt;</td>", html);
        Assert.Contains("<a href=\"https://pay.northwind.test/pay/", html);
        Assert.Contains("View invoices and pay</a>", html);
        Assert.Contains("Total open</td><td align=\"right\" style=\"padding:8px;font-weight:bold;white-space:nowrap;\">800.00 USD</td>", html);
        Assert.Contains("Carla Diaz<br><span style=\"color:#4b5563;\">Accounts Receivable, Northwind Analytics</span>", html);
        Assert.Equal(mail.Subject, System.Net.WebUtility.HtmlDecode(html.Split("<title>")[1].Split("</title>")[0]));
    }

    [Fact]
    public void Every_shipped_message_renders_both_parts_in_the_layout()
    {
        var templates = ShippedTemplates();
        var invoice = new Dictionary<string, object?>
        {
            ["number"] = "INV-9",
            ["amount"] = "1,200.00 EUR",
            ["balance"] = "700.00 EUR",
            ["issue_date"] = "2026-01-01",
            ["due_date"] = "2026-01-31",
            ["days_overdue"] = 12,
            ["po_number"] = "PO-1",
        };
        var model = new Dictionary<string, object?>
        {
            ["organisation"] = new Dictionary<string, object?> { ["name"] = "Northwind Analytics" },
            ["account"] = new Dictionary<string, object?> { ["name"] = "Müller & Söhne", ["external_id"] = "acc-1" },
            ["contact"] = new Dictionary<string, object?> { ["name"] = "Anna <AP>", ["email"] = "ap@example.test" },
            ["sender"] = new Dictionary<string, object?> { ["name"] = "Carla Diaz", ["email"] = "carla@northwind.test", ["title"] = "Accounts Receivable" },
            ["invoices"] = new List<object?> { invoice },
            ["other_invoices"] = new List<object?>(),
            ["total_balance"] = "700.00 EUR",
            ["account_balance"] = "700.00 EUR",
            ["payment_link"] = "https://pay.example.test/pay/abc",
            ["link_expires_on"] = "2026-03-01",
            ["today"] = "2026-02-12",
            ["instalment"] = new Dictionary<string, object?> { ["number"] = 2, ["count"] = 3, ["amount"] = "300.00 EUR", ["due_date"] = "2026-02-15", ["remaining_after"] = "300.00 EUR" },
        };

        Assert.Equal(10, templates.Names.Count);
        foreach (var name in templates.Names)
        {
            var rendered = templates.Render(name, model);
            Assert.Contains("Anna <AP>", rendered.Body);
            Assert.StartsWith("<!doctype html>", rendered.Html);
            Assert.Contains("Dear Anna &lt;AP&gt;,", rendered.Html.Replace("Hi Anna", "Dear Anna", StringComparison.Ordinal));
            Assert.Contains("Müller &amp; Söhne", rendered.Html);
            Assert.Contains("<a href=\"https://pay.example.test/pay/abc\"", rendered.Html);
            Assert.DoesNotContain("{{", rendered.Html);
        }
    }

    [Fact]
    public void A_message_without_its_html_part_is_refused_at_load()
    {
        var e = Assert.Throws<TemplateException>(() => MessageTemplates.Parse(new Dictionary<string, (string, string)>
        {
            ["_layout.html"] = ("<html>{{ content }}</html>", "t/_layout.html.liquid"),
            ["nudge"] = ("Subject: Hello\n\nBody", "t/nudge.liquid"),
        }));
        Assert.Equal("t/nudge.liquid: its HTML part nudge.html.liquid is missing; every message has a plain-text and an HTML part", e.Message);
    }
}
