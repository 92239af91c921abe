using System.Globalization;
using CsmPayments.Accounts;
using CsmPayments.Billing;
using CsmPayments.Demo;
using CsmPayments.Engagement;
using CsmPayments.Usage;

namespace CsmPayments.Bench.Generate;

/// <summary>One generated account and every row it contributes, with the ids the load writes.</summary>
public sealed class BenchAccount
{
    public required long Id { get; init; }
    public required Account Account { get; init; }
    public List<(long Id, Contact Row)> Contacts { get; } = [];
    public List<(long Id, Subscription Row)> Subscriptions { get; } = [];
    public List<(long Id, Invoice Row)> Invoices { get; } = [];
    public List<(long Id, Payment Row)> Payments { get; } = [];
    public List<(long Id, CreditNote Row)> CreditNotes { get; } = [];
    public List<UsageDay> Usage { get; } = [];
    public List<(long Id, Ticket Row)> Tickets { get; } = [];
    public List<(long Id, NpsResponse Row)> Nps { get; } = [];
    public List<(long Id, Touchpoint Row)> Touchpoints { get; } = [];
}

/// <summary>
/// A large company for the cycle benchmark, generated straight into entities rather than through CSV files: accounts
/// with the demo's mix of fates (<see cref="DemoCompany.FateOf"/>) and its staff (<see cref="DemoStaff"/>), contacts,
/// subscriptions, a year of invoices and payments (on time, late, partial, failed card attempts, unpaid), credit notes,
/// 90 days of daily usage shaped by the fate (steady, growing, decaying, stopped), tickets, NPS answers and CSM
/// touchpoints at the tier's cadence. Every account draws from its own seeded stream, so accounts can be generated in
/// parallel and the same settings always give the same company. Ids are laid out per account (account id × stride +
/// row number), so rows that refer to each other need no lookup.
/// </summary>
public sealed class BenchCompany(int accounts, int seed, DateOnly asOf)
{
    public const int UsageDays = 90;

    // Rows per account are bounded; ids are account id × stride + row number.
    private const int ContactStride = 8, SubscriptionStride = 4, InvoiceStride = 32, PaymentStride = 64, CreditStride = 4, TicketStride = 32,
        NpsStride = 8, TouchpointStride = 64;

    private static readonly (string Country, string Currency, double Weight)[] Countries =
    [
        ("US", "USD", 45), ("CA", "CAD", 6), ("GB", "GBP", 12), ("DE", "EUR", 9), ("FR", "EUR", 6), ("NL", "EUR", 4), ("AU", "AUD", 6),
        ("NZ", "NZD", 2), ("SG", "SGD", 4), ("JP", "JPY", 6),
    ];

    private static readonly decimal[] UsdPerUnit = [1m, 0.73m, 1.27m, 1.08m, 1.08m, 1.08m, 0.66m, 0.60m, 0.74m, 0.0067m];

    private static readonly string[] Industries = ["Software", "Retail", "Healthcare", "Manufacturing", "Financial services", "Logistics", "Education", "Media"];

    private static readonly string[] DeclineCodes = ["card_declined", "insufficient_funds", "expired_card", "do_not_honor"];

    private static readonly string[] Routine = ["How do I export a report?", "SSO set-up question", "Invoice copy needed", "Add a new admin user", "API rate limits"];

    private static readonly string[] Severe = ["Dashboard down for all users", "Data sync failing since last night", "Billing dispute on last invoice", "Cannot log in"];

    public int Accounts { get; } = accounts;
    public int Seed { get; } = seed;
    public DateOnly AsOf { get; } = asOf;
    public DemoStaff Staff { get; } = new(accounts);

    /// <summary>Our staff, with the ids the load gives them (1…); the CSMs come first.</summary>
    public IReadOnlyList<(long Id, User Row)> Users() =>
        Staff.All.Select((u, i) => ((long)i + 1, new User(u.Email, u.Name, u.Role, u.Capacity))).ToList();

    private static Random Stream(int seed, long index, int stream)
    {
        unchecked
        {
            var z = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL ^ ((ulong)index + 0x632BE59BD9B4E019UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL ^ (ulong)(uint)stream * 0x94D049BB133111EBUL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return new Random((int)((z ^ (z >> 31)) & 0x7FFFFFFF));
        }
    }

    private static T Pick<T>(Random r, IReadOnlyList<T> items) => items[r.Next(items.Count)];

    private static bool Chance(Random r, double p) => r.NextDouble() < p;

    /// <summary>Account <paramref name="index"/> (0-based; its id is index + 1) and all its rows.</summary>
    public BenchAccount Build(int index)
    {
        var id = (long)index + 1;
        var fate = DemoCompany.FateOf(Seed, index);
        var r = Stream(Seed, index, 1);
        var externalId = "ACC-" + id.ToString("D7", CultureInfo.InvariantCulture);

        var total = Countries.Sum(c => c.Weight);
        var roll = r.NextDouble() * total;
        var c = 0;
        while (roll >= Countries[c].Weight) roll -= Countries[c++].Weight;
        var (country, currency, _) = Countries[c];
        var employees = (int)Math.Clamp(Math.Round(Math.Exp(Math.Log(80) + 1.6 * Normal(r))), 3, 60_000);
        var usdMrr = Math.Clamp(Math.Exp(Math.Log(20) + 0.78 * Math.Log(employees) + 0.6 * Normal(r)), 39, 150_000);
        var tier = usdMrr >= 8_000 ? ServiceTier.High : usdMrr >= 1_500 ? ServiceTier.Medium : ServiceTier.Low;
        var plan = usdMrr switch { < 300 => "Starter", < 1_500 => "Growth", < 8_000 => "Business", _ => "Enterprise" };
        var csms = Staff.Csms.Count;
        var csmId = tier == ServiceTier.High ? 1 + r.Next(3) : 1 + r.Next(csms);
        var account = new Account(externalId, $"Bench Account {id}", Pick(r, Industries), employees, country, plan, csmId, currency, null,
            Chance(r, 0.7) ? tier : null);
        var a = new BenchAccount { Id = id, Account = account };

        var domain = $"acc-{id}.example";
        a.Contacts.Add((id * ContactStride, new Contact($"ap@{domain}", id, "Accounts Payable", ContactRole.Billing)));
        a.Contacts.Add((id * ContactStride + 1, new Contact($"champion@{domain}", id, "Alex Champion", ContactRole.Champion)));
        if (tier != ServiceTier.Low) a.Contacts.Add((id * ContactStride + 2, new Contact($"exec@{domain}", id, "Sam Executive", ContactRole.Executive)));

        // Contract: when it started, whether it ended during the year, how the account pays.
        var annual = Chance(r, plan is "Starter" ? 0.1 : plan is "Growth" ? 0.25 : 0.55) && fate is not (AccountFate.Delinquent or AccountFate.DelinquentChurn);
        var historyStart = AsOf.AddDays(-365);
        var start = fate == AccountFate.New ? AsOf.AddDays(-r.Next(21, 330)) : AsOf.AddDays(-r.Next(380, 1500));
        if (start.Day > 28) start = start.AddDays(28 - start.Day);
        DateOnly? end = fate is AccountFate.VoluntaryChurn or AccountFate.DelinquentChurn ? AsOf.AddDays(-r.Next(5, 200)) : null;
        var minor = currency == "JPY" ? 0 : 2;
        var local = Math.Round((decimal)usdMrr / UsdPerUnit[c], minor);
        var mrr = new Money(Math.Max(local, 1m), currency);
        DateOnly Cycle(int k) => annual ? start.AddYears(k) : start.AddMonths(k);
        DateOnly renewal = start;
        for (var k = 1; renewal <= (end ?? AsOf); k++) renewal = Cycle(k);
        a.Subscriptions.Add((id * SubscriptionStride, new Subscription($"SUB-{id}-1", id, plan + (annual ? " Annual" : " Monthly"), mrr, start, end, renewal,
            end is null ? null : fate == AccountFate.DelinquentChurn ? CancellationReason.Delinquent : CancellationReason.Voluntary)));

        var behaviour = fate switch
        {
            AccountFate.Delinquent or AccountFate.DelinquentChurn => 3, // stops paying
            AccountFate.AtRisk => Chance(r, 0.5) ? 1 : 2,
            AccountFate.Recovered or AccountFate.VoluntaryChurn => Chance(r, 0.5) ? 1 : 0,
            _ => r.NextDouble() switch { < 0.78 => 0, < 0.92 => 1, _ => 2 }, // 0 on time, 1 late, 2 failing card, 3 unpaid
        };
        var terms = Chance(r, 0.7) ? 30 : 15;
        var stopPayingFrom = behaviour == 3 ? (end ?? AsOf).AddDays(-r.Next(70, 130)) : DateOnly.MaxValue;

        // Invoices for every billing date of the last year the subscription ran, paid according to the behaviour.
        int invoiceCount = 0, paymentCount = 0;
        for (var k = 0; invoiceCount < InvoiceStride - 1; k++)
        {
            var issue = Cycle(k);
            if (issue > AsOf || (end is { } e && issue >= e)) break;
            if (issue < historyStart) continue;
            var invoiceId = id * InvoiceStride + invoiceCount;
            var number = $"INV-{id}-{++invoiceCount}";
            var amount = annual ? new Money(mrr.Amount * 12m, currency) : mrr;
            var due = issue.AddDays(terms);
            var status = Chance(r, 0.01) ? InvoiceStatus.Void : InvoiceStatus.Open;
            if (behaviour == 3 && issue >= stopPayingFrom && end is not null && Chance(r, 0.3)) status = InvoiceStatus.Uncollectible;
            a.Invoices.Add((invoiceId, new Invoice(number, id, issue, due, amount, null, status)));
            if (status == InvoiceStatus.Void) continue;

            void Pay(Money paid, DateOnly on, PaymentStatus ps, string? code, PaymentMethod method)
            {
                if (on > AsOf || paymentCount >= PaymentStride) return;
                a.Payments.Add((id * PaymentStride + paymentCount, new Payment($"PAY-{id}-{paymentCount + 1}", id, invoiceId, paid, on, method, ps, code)));
                paymentCount++;
            }
            if (issue >= stopPayingFrom)
            {
                if (behaviour == 3 && Chance(r, 0.5)) Pay(amount, due, PaymentStatus.Failed, Pick(r, DeclineCodes), PaymentMethod.Card);
                continue;
            }
            switch (behaviour)
            {
                case 0:
                    Pay(amount, due.AddDays(-r.Next(0, terms)), PaymentStatus.Succeeded, null, Chance(r, 0.6) ? PaymentMethod.Card : PaymentMethod.Ach);
                    break;
                case 1:
                    if (Chance(r, 0.15))
                    {
                        var part = new Money(Math.Round(amount.Amount / 2m, minor), currency);
                        Pay(part, due.AddDays(r.Next(1, 20)), PaymentStatus.Succeeded, null, PaymentMethod.Wire);
                        Pay(amount - part, due.AddDays(r.Next(20, 50)), PaymentStatus.Succeeded, null, PaymentMethod.Wire);
                    }
                    else
                    {
                        Pay(amount, due.AddDays(r.Next(3, 60)), PaymentStatus.Succeeded, null, PaymentMethod.Wire);
                    }
                    break;
                default:
                    var attempts = r.Next(1, 4);
                    for (var t = 0; t < attempts; t++) Pay(amount, due.AddDays(t * 3), PaymentStatus.Failed, Pick(r, DeclineCodes), PaymentMethod.Card);
                    if (Chance(r, 0.85)) Pay(amount, due.AddDays(attempts * 3 + r.Next(0, 5)), PaymentStatus.Succeeded, null, PaymentMethod.Card);
                    break;
            }
        }
        if (a.Invoices.Count > 0 && Chance(r, 0.04))
        {
            var (invoiceId, invoice) = a.Invoices[r.Next(a.Invoices.Count)];
            if (invoice.Status == InvoiceStatus.Open)
                a.CreditNotes.Add((id * CreditStride, new CreditNote($"CN-{id}-1", id, invoiceId,
                    new Money(Math.Round(invoice.Amount.Amount / 10m, minor), currency), Min(invoice.IssueDate.AddDays(5), AsOf))));
        }

        // Usage: the last 90 days, weekdays busier, shaped by the fate.
        var lastDay = end is { } ended ? ended.AddDays(-1) : AsOf;
        var seats = Math.Max(1, (int)(employees * (0.2 + 0.4 * r.NextDouble())));
        var decayFrom = AsOf.AddDays(-r.Next(30, 75));
        var stoppedOn = AsOf.AddDays(-r.Next(20, 60));
        for (var day = AsOf.AddDays(-(UsageDays - 1)); day <= AsOf; day = day.AddDays(1))
        {
            if (day < start || day > lastDay) continue;
            var level = fate switch
            {
                AccountFate.Growing => 0.7 + 0.5 * (day.DayNumber - AsOf.DayNumber + UsageDays) / UsageDays,
                AccountFate.New => Math.Min(1.0, 0.2 + (day.DayNumber - start.DayNumber) / 90.0),
                AccountFate.SilentChurn => day >= stoppedOn ? 0.0 : 0.8,
                AccountFate.AtRisk or AccountFate.VoluntaryChurn => day >= decayFrom ? Math.Max(0.05, 1.0 - (day.DayNumber - decayFrom.DayNumber) / 50.0) : 1.0,
                AccountFate.Contracting => 0.75,
                _ => 1.0,
            };
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday) level *= 0.3;
            var users = (int)Math.Round(seats * level * (0.85 + 0.3 * r.NextDouble()));
            a.Usage.Add(new UsageDay(id, day, users, users * (long)r.Next(5, 40)));
        }

        // Tickets: about one every two months, more and more severe in trouble; a few still open.
        var troubled = fate is AccountFate.AtRisk or AccountFate.Delinquent or AccountFate.VoluntaryChurn;
        var ticketCount = Math.Min(TicketStride, (troubled ? 8 : 4) + r.Next(0, 5));
        for (var t = 0; t < ticketCount; t++)
        {
            var opened = AsOf.AddDays(-r.Next(0, 365));
            if (opened < start || opened > lastDay) continue;
            var severe = Chance(r, troubled ? 0.35 : 0.1);
            var priority = severe ? (Chance(r, 0.5) ? TicketPriority.Urgent : TicketPriority.High) : (Chance(r, 0.6) ? TicketPriority.Normal : TicketPriority.Low);
            var open = Chance(r, troubled ? 0.3 : 0.05) || AsOf.DayNumber - opened.DayNumber < 3;
            var solved = open ? (DateOnly?)null : Min(opened.AddDays(r.Next(0, 12)), AsOf);
            a.Tickets.Add((id * TicketStride + t, new Ticket($"TCK-{id}-{t + 1}", id, opened, priority, open ? TicketStatus.Open : TicketStatus.Solved, solved,
                severe ? Pick(r, Severe) : Pick(r, Routine))));
        }

        // NPS: one to three answers a year, detractors among the troubled.
        var answers = r.Next(0, 4);
        for (var n = 0; n < answers; n++)
        {
            var on = AsOf.AddDays(-(n * 120 + r.Next(0, 120)));
            if (on < start || on > lastDay) continue;
            var score = troubled || fate == AccountFate.SilentChurn ? r.Next(0, 7) : r.Next(6, 11);
            var email = n % 2 == 0 ? $"champion@{domain}" : $"ap@{domain}";
            a.Nps.Add((id * NpsStride + n, new NpsResponse(id, email, on, score, null)));
        }

        // Touchpoints at the tier's cadence (high 14, medium 30, low 90 days), with gaps for the neglected.
        var cadence = tier switch { ServiceTier.High => 14, ServiceTier.Medium => 30, _ => 90 };
        var neglected = Chance(r, troubled ? 0.5 : 0.15);
        var touch = Max(start, historyStart).AddDays(r.Next(0, cadence));
        for (var t = 0; touch <= Min(lastDay, neglected ? AsOf.AddDays(-cadence * 2) : AsOf) && t < TouchpointStride; t++)
        {
            var kind = (TouchpointKind)(t % 4);
            a.Touchpoints.Add((id * TouchpointStride + t, new Touchpoint(id, csmId, touch, kind, kind == TouchpointKind.Qbr ? "Quarterly review" : "Check-in")));
            touch = touch.AddDays(Math.Max(1, cadence + r.Next(-cadence / 3, cadence / 3 + 1)));
        }
        return a;
    }

    private static DateOnly Min(DateOnly x, DateOnly y) => x < y ? x : y;

    private static DateOnly Max(DateOnly x, DateOnly y) => x > y ? x : y;

    private static double Normal(Random r) =>
        Math.Sqrt(-2.0 * Math.Log(1.0 - r.NextDouble())) * Math.Cos(2.0 * Math.PI * r.NextDouble());
}
