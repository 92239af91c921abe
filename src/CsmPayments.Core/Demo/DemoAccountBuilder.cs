using System.Globalization;
using System.Text;
using CsmPayments.Accounts;
using CsmPayments.Billing;

namespace CsmPayments.Demo;

/// <summary>
/// Makes one account and its year: who it is, its contracts, then billing, usage, support, surveys and touchpoints
/// from the story its <see cref="AccountFate"/> tells. Each part draws from its own random stream.
/// </summary>
internal sealed partial class DemoAccountBuilder
{
    /// <summary>Account names and e-mail domains already handed out; contact e-mails are unique because domains are.</summary>
    internal sealed class NameRegistry
    {
        public readonly HashSet<string> Names = new(StringComparer.OrdinalIgnoreCase);
        public readonly HashSet<string> Domains = new(StringComparer.Ordinal);
    }

    private sealed record Segment(DateOnly Start, DateOnly? End, Money Mrr, BillingInterval Interval, CancellationReason? Reason);

    private readonly DemoSettings _settings;
    private readonly DemoStaff _staff;
    private readonly int _index;
    private readonly AccountFate _fate;
    private readonly NameRegistry _registry;
    private readonly string _id;
    private readonly DateOnly _asOf;
    private readonly DateOnly _historyStart;

    private string _currency = "USD";
    private string _country = "US";
    private string _domain = "";
    private int _employees;
    private decimal _usdMrr;
    private DemoProfile _profile = null!;
    private DemoUser _csm = null!;
    private readonly List<Segment> _segments = [];
    private readonly List<DemoContact> _contacts = [];

    public DemoAccountBuilder(DemoSettings settings, DemoStaff staff, int index, AccountFate fate, NameRegistry registry)
    {
        _settings = settings;
        _staff = staff;
        _index = index;
        _fate = fate;
        _registry = registry;
        _id = (index + 1).ToString("D5", CultureInfo.InvariantCulture);
        _asOf = settings.AsOf;
        _historyStart = settings.HistoryStart;
    }

    private static readonly (DemoCatalog.Industry, double)[] WeightedIndustries = [.. DemoCatalog.Industries.Select(i => (i, i.Weight))];
    private static readonly (DemoCatalog.Country, double)[] WeightedCountries = [.. DemoCatalog.Countries.Select(c => (c, c.Weight))];

    private Random Stream(int stream) => Draw.Stream(_settings.Seed, _index, stream);

    public DemoAccount Build()
    {
        var firm = Stream(Draw.Firmographics);
        var industry = firm.Pick(WeightedIndustries);
        var country = firm.Pick(WeightedCountries);
        _country = country.Code;
        _currency = country.AlternativeCurrency is { } alternative && firm.Chance(0.5) ? alternative : country.Currency;
        var timeZone = firm.Chance(0.08) ? null : firm.Pick(country.TimeZones);
        _employees = (int)Math.Clamp(Math.Round(firm.LogNormal(Math.Log(80), 1.6)), 3, 60_000);
        // Price follows company size with a long tail: many small accounts, a few large ones.
        _usdMrr = (decimal)Math.Clamp(Math.Exp(Math.Log(20) + 0.78 * Math.Log(_employees) + firm.Normal(0, 0.6)), 39, 150_000);
        var name = NameFor(firm, industry);
        _domain = DomainFor(name);

        var sizeTier = DemoCatalog.Tier(_usdMrr);
        ServiceTier? explicitTier = null;
        if (firm.Chance(0.7))
            explicitTier = sizeTier != ServiceTier.High && firm.Chance(0.05) ? sizeTier - 1 : sizeTier; // a few strategic logos
        var tier = explicitTier ?? sizeTier;
        _csm = _staff.AssignCsm(firm, tier);

        PlanContracts(tier);
        MakeContacts(tier);

        var subscriptions = Subscriptions();
        var account = new DemoAccount(_index, "ACC-" + _id, name, industry.Name, _employees, _country,
            DemoCatalog.Plan(UsdOf(_segments[^1].Mrr)), _csm.Email, _currency, timeZone, explicitTier, _profile)
        {
            Contacts = _contacts,
            Subscriptions = subscriptions,
        };
        var billing = new BillingRun(this, subscriptions);
        billing.Run();
        account.Invoices = billing.Invoices;
        account.Payments = billing.Payments;
        account.CreditNotes = billing.CreditNotes;
        account.Usage = MakeUsage();
        account.Tickets = MakeTickets(billing.DisputeTickets);
        account.NpsResponses = MakeNps();
        account.Touchpoints = MakeTouchpoints(billing);
        return account;
    }

    private decimal UsdOf(Money money) => money.Amount * DemoCatalog.UsdPerUnit(money.Currency);

    private Money LocalPrice(decimal usd)
    {
        var step = _currency == "JPY" ? 1_000m : 10m;
        var local = usd / DemoCatalog.UsdPerUnit(_currency);
        return new Money(Math.Max(3 * step, Math.Round(local / step, MidpointRounding.AwayFromZero) * step), _currency);
    }

    /// <summary>The last day the account was a customer: the day before its last subscription ended, else the as-of date.</summary>
    private DateOnly LastDay => _segments[^1].End is { } end ? end.AddDays(-1) : _asOf;

    private DateOnly FirstDay => Later(_segments[0].Start, _historyStart);

    private static DateOnly Later(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Earlier(DateOnly a, DateOnly b) => a < b ? a : b;

    /// <summary>Contracts start on day 28 or earlier, so monthly cycles fall on the same day every month.</summary>
    private static DateOnly BillingDay(DateOnly date) => date.Day > 28 ? date.AddDays(28 - date.Day) : date;

    private void PlanContracts(ServiceTier tier)
    {
        var r = Stream(Draw.Contracts);
        var plan = DemoCatalog.Plan(_usdMrr);
        var annualShare = plan switch { "Starter" => 0.15, "Growth" => 0.35, "Business" => 0.6, _ => 0.85 };
        var interval = r.Chance(annualShare) ? BillingInterval.Annual : BillingInterval.Monthly;
        if (_fate == AccountFate.Delinquent || (_fate == AccountFate.DelinquentChurn && r.Chance(0.7))) interval = BillingInterval.Monthly;

        var behaviour = r.Pick(_fate switch
        {
            AccountFate.VoluntaryChurn => [(PaymentBehaviour.OnTime, 35.0), (PaymentBehaviour.Late, 30), (PaymentBehaviour.Disputes, 15), (PaymentBehaviour.Partial, 10), (PaymentBehaviour.FailingCard, 10)],
            AccountFate.DelinquentChurn or AccountFate.Delinquent => [(PaymentBehaviour.FailingCard, 50.0), (PaymentBehaviour.Late, 30), (PaymentBehaviour.Partial, 20)],
            AccountFate.AtRisk => [(PaymentBehaviour.Late, 35.0), (PaymentBehaviour.FailingCard, 25), (PaymentBehaviour.Partial, 20), (PaymentBehaviour.Disputes, 20)],
            AccountFate.SilentChurn => [(PaymentBehaviour.OnTime, 1.0)],
            AccountFate.Recovered => [(PaymentBehaviour.Late, 40.0), (PaymentBehaviour.FailingCard, 30), (PaymentBehaviour.OnTime, 30)],
            _ => new (PaymentBehaviour, double)[] { (PaymentBehaviour.OnTime, 72.0), (PaymentBehaviour.Late, 14), (PaymentBehaviour.FailingCard, 7), (PaymentBehaviour.Partial, 3), (PaymentBehaviour.Disputes, 4) },
        });

        var smallMonthly = plan is "Starter" or "Growth" && interval == BillingInterval.Monthly;
        var method = smallMonthly && r.Chance(0.85) || plan == "Growth" && r.Chance(0.4) || _fate == AccountFate.SilentChurn && r.Chance(0.7)
            ? PaymentMethod.Card
            : InvoiceMethod(r);
        if (behaviour == PaymentBehaviour.FailingCard) method = PaymentMethod.Card;
        else if (behaviour is PaymentBehaviour.Late or PaymentBehaviour.Partial or PaymentBehaviour.Disputes && method == PaymentMethod.Card) method = InvoiceMethod(r);
        var terms = method == PaymentMethod.Card ? (r.Chance(0.8) ? 15 : 30) : (r.Chance(0.85) ? 30 : 15);

        var healthy = _fate is AccountFate.Healthy or AccountFate.Growing or AccountFate.New or AccountFate.Recovered or AccountFate.Contracting;
        var unapplied = r.Chance(healthy ? 0.07 : 0.03);
        var hasVoid = r.Chance(0.05);

        var mrr = LocalPrice(_usdMrr);
        DateOnly start;
        DateOnly? troubleFrom = null, troubleUntil = null, endedOn = null, changedOn = null, stoppedOn = null, firstUnpaid = null;
        var w = _historyStart;
        var d = _asOf;
        DateOnly ContractStart(DateOnly anchor, int minMonths, int maxMonths) => interval == BillingInterval.Annual
            ? anchor.AddYears(-r.Between(Math.Max(1, minMonths / 12), Math.Max(1, maxMonths / 12)))
            : anchor.AddMonths(-r.Between(minMonths, maxMonths));

        switch (_fate)
        {
            case AccountFate.New:
                start = BillingDay(r.Between(w.AddDays(14), d.AddDays(-21)));
                _segments.Add(new Segment(start, null, mrr, interval, null));
                break;

            case AccountFate.Growing:
            case AccountFate.Contracting:
                {
                    var change = BillingDay(r.Between(w.AddDays(45), d.AddDays(-10)));
                    start = ContractStart(change, 4, 36);
                    var factor = _fate == AccountFate.Growing ? r.Between(1.2, 1.9) : r.Between(0.5, 0.85);
                    var next = LocalPrice(UsdOf(mrr) * (decimal)factor);
                    var step = new Money(_currency == "JPY" ? 1_000m : 10m, _currency);
                    // Rounding to the price step must not turn a change into no change.
                    if (_fate == AccountFate.Growing && next <= mrr) next = mrr + step;
                    if (_fate == AccountFate.Contracting && next >= mrr) next = Money.Max(step, mrr - step);
                    var nextInterval = _fate == AccountFate.Growing && interval == BillingInterval.Monthly && r.Chance(0.25) ? BillingInterval.Annual : interval;
                    _segments.Add(new Segment(start, change, mrr, interval, null));
                    _segments.Add(new Segment(change, null, next, nextInterval, null));
                    changedOn = change;
                    break;
                }

            case AccountFate.VoluntaryChurn:
                {
                    var end = BillingDay(r.Between(w.AddDays(120), d.AddDays(-1)));
                    start = ContractStart(end, 8, 40);
                    _segments.Add(new Segment(start, end, mrr, interval, CancellationReason.Voluntary));
                    endedOn = end;
                    troubleFrom = end.AddDays(-r.Between(60, 150));
                    troubleUntil = end;
                    break;
                }

            case AccountFate.DelinquentChurn:
                {
                    // The first unpaid invoice falls due 60–120 days before the subscription is ended for non-payment.
                    var lag = r.Between(62, 117);
                    var target = r.Between(w.AddDays(180), d.AddDays(-1));
                    var unpaid = BillingDay(target.AddDays(-terms - lag));
                    var end = unpaid.AddDays(terms + lag);
                    start = ContractStart(unpaid, 6, 36);
                    _segments.Add(new Segment(start, end, mrr, interval, CancellationReason.Delinquent));
                    endedOn = end;
                    firstUnpaid = unpaid;
                    troubleFrom = unpaid.AddDays(-30);
                    troubleUntil = end;
                    break;
                }

            case AccountFate.Delinquent:
                {
                    // Monthly invoices since the first unpaid one land one in each aging bucket by the as-of date.
                    var unpaid = BillingDay(d.AddDays(-r.Between(96, 115) - terms));
                    start = unpaid.AddMonths(-r.Between(6, 36));
                    _segments.Add(new Segment(start, null, mrr, interval, null));
                    firstUnpaid = unpaid;
                    troubleFrom = unpaid.AddDays(-30);
                    break;
                }

            default:
                start = BillingDay(d.AddDays(-r.Between(380, 1500)));
                _segments.Add(new Segment(start, null, mrr, interval, null));
                if (_fate == AccountFate.Recovered)
                {
                    troubleFrom = r.Between(w.AddDays(20), w.AddDays(110));
                    troubleUntil = troubleFrom.Value.AddDays(r.Between(60, 100));
                }
                else if (_fate == AccountFate.AtRisk)
                {
                    troubleFrom = d.AddDays(-r.Between(45, 120));
                }
                else if (_fate == AccountFate.SilentChurn)
                {
                    stoppedOn = r.Between(d.AddDays(-150), d.AddDays(-30));
                    troubleFrom = stoppedOn.Value.AddDays(-30);
                }
                break;
        }

        _profile = new DemoProfile(_fate, behaviour, interval, method, terms, unapplied, hasVoid, tier, start, troubleFrom, troubleUntil,
            endedOn, changedOn, stoppedOn, firstUnpaid);
    }

    private PaymentMethod InvoiceMethod(Random r) => _country is "US" or "CA"
        ? r.Pick([(PaymentMethod.Ach, 55.0), (PaymentMethod.Check, 25), (PaymentMethod.Wire, 20)])
        : r.Pick([(PaymentMethod.Wire, 70.0), (PaymentMethod.Ach, 30)]);

    private List<DemoSubscription> Subscriptions()
    {
        var list = new List<DemoSubscription>();
        for (var i = 0; i < _segments.Count; i++)
        {
            var s = _segments[i];
            var plan = DemoCatalog.Plan(UsdOf(s.Mrr)) + (s.Interval == BillingInterval.Annual ? " Annual" : " Monthly");
            list.Add(new DemoSubscription($"SUB-{_id}-{i + 1}", plan, s.Mrr, s.Interval, s.Start, s.End, RenewalOf(s), s.Reason));
        }
        return list;
    }

    /// <summary>
    /// The term's next renewal: for a running subscription the first one after the as-of date; for an ended one the
    /// renewal at or after its end (for a customer who left at renewal, the renewal that did not happen).
    /// </summary>
    private DateOnly RenewalOf(Segment s)
    {
        var after = s.End ?? _asOf.AddDays(1);
        for (var k = 1; ; k++)
        {
            var candidate = Cycle(s.Start, s.Interval, k);
            if (candidate >= after) return candidate;
        }
    }

    private static DateOnly Cycle(DateOnly start, BillingInterval interval, int k) =>
        interval == BillingInterval.Annual ? start.AddYears(k) : start.AddMonths(k);

    private string NameFor(Random r, DemoCatalog.Industry industry)
    {
        for (var attempt = 0; ; attempt++)
        {
            var suffix = r.Pick(industry.Suffixes);
            var name = r.NextDouble() switch
            {
                < 0.55 => r.Pick(DemoCatalog.NameStarts) + r.Pick(DemoCatalog.NameMiddles).ToLowerInvariant() + " " + suffix,
                < 0.85 => r.Pick(DemoCatalog.NameStarts) + " " + r.Pick(DemoCatalog.NameMiddles) + " " + suffix,
                _ => r.Pick(DemoCatalog.LastNames) + (r.Chance(0.5) ? " & " + r.Pick(DemoCatalog.LastNames) : " " + suffix),
            };
            if (attempt >= 8) name += " " + _id; // a very large company runs out of pleasant names
            if (_registry.Names.Add(name)) return name;
        }
    }

    private string DomainFor(string name)
    {
        var slug = Slug(name, '-');
        var domain = slug + ".example";
        for (var n = 2; !_registry.Domains.Add(domain); n++) domain = $"{slug}-{n}.example";
        return domain;
    }

    private void MakeContacts(ServiceTier tier)
    {
        var r = Stream(Draw.People);
        var used = new HashSet<string>(StringComparer.Ordinal);
        void Add(string first, string last, ContactRole role)
        {
            var local = Slug(first, '.') + "." + Slug(last, '.');
            var email = local + "@" + _domain;
            for (var n = 2; !used.Add(email); n++) email = $"{local}{n}@{_domain}";
            _contacts.Add(new DemoContact(email, first + " " + last, role));
        }

        if (r.Chance(0.3))
        {
            used.Add("ap@" + _domain);
            _contacts.Add(new DemoContact("ap@" + _domain, "Accounts Payable", ContactRole.Billing));
        }
        else
        {
            Add(r.Pick(DemoCatalog.FirstNames), r.Pick(DemoCatalog.LastNames), ContactRole.Billing);
        }
        Add(r.Pick(DemoCatalog.FirstNames), r.Pick(DemoCatalog.LastNames), ContactRole.Champion);
        if (tier != ServiceTier.Low || r.Chance(0.4)) Add(r.Pick(DemoCatalog.FirstNames), r.Pick(DemoCatalog.LastNames), ContactRole.Executive);
        var users = tier switch { ServiceTier.High => r.Between(2, 3), ServiceTier.Medium => r.Between(1, 2), _ => r.Between(0, 1) };
        for (var i = 0; i < users; i++) Add(r.Pick(DemoCatalog.FirstNames), r.Pick(DemoCatalog.LastNames), ContactRole.User);
    }

    /// <summary>Lower-case ASCII letters and digits, other runs turned into one separator: "Zoë O'Brien" → "zoe-obrien".</summary>
    internal static string Slug(string text, char separator)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSeparator = false;
        foreach (var raw in text.ToLowerInvariant())
        {
            var folded = raw switch
            {
                'à' or 'á' or 'â' or 'ã' or 'ä' or 'å' => "a",
                'ç' => "c",
                'è' or 'é' or 'ê' or 'ë' => "e",
                'ì' or 'í' or 'î' or 'ï' => "i",
                'ñ' => "n",
                'ò' or 'ó' or 'ô' or 'õ' or 'ö' or 'ø' => "o",
                'ù' or 'ú' or 'û' or 'ü' => "u",
                'ý' or 'ÿ' => "y",
                'ß' => "ss",
                'æ' => "ae",
                'œ' => "oe",
                '\'' or '’' => "",
                _ when raw is >= 'a' and <= 'z' or >= '0' and <= '9' => raw.ToString(),
                _ => null,
            };
            if (folded is null)
            {
                pendingSeparator = builder.Length > 0;
                continue;
            }
            if (folded.Length == 0) continue;
            if (pendingSeparator) builder.Append(separator);
            pendingSeparator = false;
            builder.Append(folded);
        }
        return builder.ToString();
    }
}
