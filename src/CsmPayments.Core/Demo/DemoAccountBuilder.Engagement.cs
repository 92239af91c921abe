using CsmPayments.Accounts;
using CsmPayments.Engagement;

namespace CsmPayments.Demo;

internal sealed partial class DemoAccountBuilder
{
    private bool TroubledFate => _fate is AccountFate.VoluntaryChurn or AccountFate.DelinquentChurn or AccountFate.SilentChurn
        or AccountFate.AtRisk or AccountFate.Delinquent;

    /// <summary>Silent churners go quiet a month before their usage stops: no tickets, no survey answers.</summary>
    private DateOnly LastHeardFrom => _profile.UsageStoppedOn is { } stopped ? Earlier(LastDay, stopped.AddDays(-30)) : LastDay;

    /// <summary>One row per day the account had a subscription; a silent churner's days after it stopped are zero.</summary>
    private DemoUsageDay[] MakeUsage()
    {
        var first = FirstDay;
        var last = LastDay;
        if (last < first) return [];
        var r = Stream(Draw.UsageStream);
        var seats = (int)Math.Clamp(Math.Round(_usdMrr / (decimal)r.Between(18.0, 45.0)), 2, Math.Max(2, _employees)); // $18–45 a seat
        var engagement = r.Between(0.45, 0.85);
        var eventsPerUser = r.Between(25.0, 140.0);
        var weekend = r.Between(0.08, 0.3);
        var drift = r.Between(-0.08, 0.2);
        var growth = r.Between(0.3, 1.0);
        var low = _fate switch
        {
            AccountFate.VoluntaryChurn => r.Between(0.08, 0.35),
            AccountFate.Contracting => r.Between(0.55, 0.8),
            AccountFate.Recovered => r.Between(0.45, 0.7),
            AccountFate.AtRisk => r.Between(0.3, 0.6),
            AccountFate.DelinquentChurn => r.Between(0.5, 0.85),
            AccountFate.Delinquent => r.Between(0.55, 0.85),
            _ => 1.0,
        };
        var ramp = r.Between(30, 75);
        var p = _profile;

        double Trend(DateOnly day)
        {
            var years = (day.DayNumber - _historyStart.DayNumber) / 365.0;
            return _fate switch
            {
                AccountFate.Growing => 1 + growth * years,
                AccountFate.New => 0.15 + 0.85 * Math.Min(1.0, (day.DayNumber - p.CustomerSince.DayNumber) / (double)ramp) + 0.1 * years,
                AccountFate.Contracting => Ramp(day, p.ChangedOn!.Value.AddDays(-90), p.ChangedOn.Value, 1.0, low),
                AccountFate.Recovered => day < Midpoint(p.TroubleFrom!.Value, p.TroubleUntil!.Value)
                    ? Ramp(day, p.TroubleFrom.Value, Midpoint(p.TroubleFrom.Value, p.TroubleUntil.Value), 1.0, low)
                    : Ramp(day, Midpoint(p.TroubleFrom.Value, p.TroubleUntil.Value), p.TroubleUntil.Value.AddDays(30), low, 1.0),
                AccountFate.SilentChurn => day >= p.UsageStoppedOn!.Value ? 0.0 : Ramp(day, p.UsageStoppedOn.Value.AddDays(-30), p.UsageStoppedOn.Value, 1.0, 0.6),
                AccountFate.VoluntaryChurn or AccountFate.DelinquentChurn or AccountFate.AtRisk or AccountFate.Delinquent =>
                    Ramp(day, p.TroubleFrom!.Value, p.TroubleUntil ?? _asOf, 1.0 + drift * years, low),
                _ => 1 + drift * years,
            };
        }

        var days = new DemoUsageDay[last.DayNumber - first.DayNumber + 1];
        for (var i = 0; i < days.Length; i++)
        {
            var day = first.AddDays(i);
            var dayFactor = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? weekend : 1.0;
            if (day is { Month: 12, Day: >= 24 } or { Month: 1, Day: 1 }) dayFactor *= 0.35; // the holidays
            var expected = seats * engagement * Trend(day) * dayFactor;
            // Rounded at random in proportion, so a two-seat account at a third of its usual use still has active days.
            var users = Math.Max(0, expected * (1 + r.Normal(0, 0.08)));
            var active = expected <= 0 ? 0 : (int)Math.Floor(users) + (r.NextDouble() < users - Math.Floor(users) ? 1 : 0);
            var events = active == 0 ? 0 : (long)Math.Round(active * eventsPerUser * r.Between(0.7, 1.3));
            days[i] = new DemoUsageDay(day, active, events);
        }
        return days;
    }

    private static DateOnly Midpoint(DateOnly a, DateOnly b) => a.AddDays((b.DayNumber - a.DayNumber) / 2);

    /// <summary>From <paramref name="a"/> before <paramref name="from"/> to <paramref name="b"/> after <paramref name="to"/>, linearly between.</summary>
    private static double Ramp(DateOnly day, DateOnly from, DateOnly to, double a, double b)
    {
        if (day <= from) return a;
        if (day >= to) return b;
        return a + (b - a) * (day.DayNumber - from.DayNumber) / (to.DayNumber - from.DayNumber);
    }

    private List<DemoTicket> MakeTickets(IReadOnlyList<DisputeTicket> disputes)
    {
        var r = Stream(Draw.Support);
        var drafts = new List<(DateOnly Opened, int Order, TicketPriority Priority, DateOnly? Solved, string Subject)>();
        void Add(DateOnly opened, TicketPriority priority, DateOnly? solved, string subject)
        {
            if (opened <= _asOf) drafts.Add((opened, drafts.Count, priority, solved is { } s && s <= _asOf ? s : null, subject));
        }

        var perMonth = _profile.Tier switch { ServiceTier.High => 1.3, ServiceTier.Medium => 0.6, _ => 0.25 };
        var last = LastHeardFrom;
        for (var day = FirstDay.AddDays((int)r.Exponential(30 / perMonth)); day <= last;)
        {
            var trouble = _profile.InTrouble(day);
            var priority = r.Pick(trouble
                ? [(TicketPriority.Low, 10.0), (TicketPriority.Normal, 40), (TicketPriority.High, 35), (TicketPriority.Urgent, 15)]
                : new (TicketPriority, double)[] { (TicketPriority.Low, 25.0), (TicketPriority.Normal, 55), (TicketPriority.High, 17), (TicketPriority.Urgent, 3) });
            var days = priority switch
            {
                TicketPriority.Urgent => r.Exponential(1.5),
                TicketPriority.High => r.Exponential(3),
                _ => 1 + r.Exponential(4),
            } * (trouble ? 3 : 1);
            var severe = priority is TicketPriority.High or TicketPriority.Urgent;
            Add(day, priority, day.AddDays((int)Math.Round(days)), r.Pick(severe ? DemoCatalog.SevereTickets : DemoCatalog.RoutineTickets));
            day = day.AddDays(Math.Max(1, (int)Math.Ceiling(r.Exponential(30 / perMonth / (trouble ? 2.5 : 1)))));
        }

        if (_profile.TroubleFrom is { } from && _fate is AccountFate.VoluntaryChurn or AccountFate.DelinquentChurn or AccountFate.Recovered
            && r.Chance(0.9))
        {
            // The escalation everyone remembers afterwards, late in the rough patch: urgent, and slow to fix.
            var until = Earlier((_profile.TroubleUntil ?? _asOf).AddDays(-1), _asOf);
            var opened = r.Between(Later(Later(from, until.AddDays(-75)), FirstDay), until);
            Add(opened, r.Chance(0.7) ? TicketPriority.Urgent : TicketPriority.High, opened.AddDays(r.Between(10, 40)), r.Pick(DemoCatalog.SevereTickets));
        }
        if (_fate == AccountFate.AtRisk)
        {
            // Urgent tickets open for weeks at the as-of date.
            for (var i = r.Between(1, 2); i > 0; i--)
                Add(r.Between(_asOf.AddDays(-60), _asOf.AddDays(-20)), TicketPriority.Urgent, null, r.Pick(DemoCatalog.SevereTickets));
        }
        foreach (var dispute in disputes)
            Add(dispute.OpenedOn, TicketPriority.High, dispute.SolvedOn, dispute.Subject);

        var tickets = new List<DemoTicket>(drafts.Count);
        foreach (var t in drafts.OrderBy(t => t.Opened).ThenBy(t => t.Order))
        {
            var status = t.Solved is not null ? TicketStatus.Solved : r.Chance(0.6) ? TicketStatus.Open : TicketStatus.Pending;
            tickets.Add(new DemoTicket($"TKT-{_id}-{tickets.Count + 1:D3}", t.Opened, t.Priority, status, t.Solved, t.Subject));
        }
        return tickets;
    }

    private List<DemoNpsResponse> MakeNps()
    {
        var r = Stream(Draw.Survey);
        var responses = new List<(DateOnly On, int Order, DemoNpsResponse Response)>();
        var taken = new HashSet<(string, DateOnly)>();
        var last = LastHeardFrom;
        var respondents = _contacts.Where(c => c.Role != ContactRole.Billing).ToList();

        void Add(DemoContact contact, DateOnly on, bool detractor)
        {
            if (on > last || on < FirstDay || !taken.Add((contact.Email, on))) return;
            var band = detractor ? 0 : r.Pick(_profile.InTrouble(on)
                ? [(0, 80.0), (1, 17), (2, 3)]
                : _fate switch
                {
                    AccountFate.Contracting => [(0, 25.0), (1, 55), (2, 20)],
                    AccountFate.SilentChurn => [(0, 15.0), (1, 45), (2, 40)],
                    _ => new (int, double)[] { (0, 10.0), (1, 35), (2, 55) },
                });
            var (score, comments, commentChance) = band switch
            {
                0 => (r.Pick([(0, 1.0), (1, 1), (2, 2), (3, 3), (4, 5), (5, 7), (6, 8)]), DemoCatalog.DetractorComments, 0.55),
                1 => (r.Between(7, 8), DemoCatalog.PassiveComments, 0.2),
                _ => (r.Between(9, 10), DemoCatalog.PromoterComments, 0.35),
            };
            var comment = r.Chance(commentChance) ? r.Pick(comments) : null;
            responses.Add((on, responses.Count, new DemoNpsResponse(contact.Email, on, score, comment)));
        }

        // Relationship surveys go out twice a year; accounts younger than a month are not asked.
        foreach (var wave in (DateOnly[])[_asOf.AddDays(-300), _asOf.AddDays(-120)])
        {
            if (wave < _profile.CustomerSince.AddDays(30)) continue;
            foreach (var contact in respondents)
            {
                var answers = r.Chance(contact.Role switch { ContactRole.Champion => 0.6, ContactRole.Executive => 0.35, _ => 0.4 });
                var on = wave.AddDays(r.Between(0, 14));
                if (answers) Add(contact, on, detractor: false);
            }
        }

        var detractorChance = _fate switch
        {
            AccountFate.VoluntaryChurn or AccountFate.AtRisk => 0.9,
            AccountFate.Recovered => 0.8,
            AccountFate.DelinquentChurn => 0.7,
            AccountFate.Delinquent => 0.6,
            _ => 0.0,
        };
        if (_profile.TroubleFrom is { } from && r.Chance(detractorChance))
        {
            // An answer to the survey sent after a support case, from the champion, late in the rough patch.
            var champion = respondents.First(c => c.Role == ContactRole.Champion);
            var until = Earlier((_profile.TroubleUntil ?? _asOf).AddDays(-1), last);
            Add(champion, r.Between(Later(Later(from, until.AddDays(-75)), FirstDay), until), detractor: true);
        }
        return responses.OrderBy(x => x.On).ThenBy(x => x.Order).Select(x => x.Response).ToList();
    }

    private static readonly (int Days, int Who, TouchpointKind Kind, string Summary)[] CollectionLadder =
    [
        // Who: 0 collector, 1 CSM, 2 controller, 3 CFO — the manual ladder finance runs today [001].
        (7, 0, TouchpointKind.Email, "Payment reminder: {0} is overdue"),
        (21, 0, TouchpointKind.Call, "Collections call about {0}"),
        (30, 1, TouchpointKind.Email, "Asked the champion about overdue {0} (30 days)"),
        (45, 0, TouchpointKind.Email, "Second reminder: {0} 45 days overdue"),
        (60, 2, TouchpointKind.Email, "Controller asked for a payment update on {0} (60 days)"),
        (90, 3, TouchpointKind.Email, "CFO wrote about {0}, 90 days overdue"),
    ];

    private List<DemoTouchpoint> MakeTouchpoints(BillingRun billing)
    {
        var r = Stream(Draw.Engagement);
        var touchpoints = new List<(DateOnly On, int Order, DemoTouchpoint Touchpoint)>();
        var taken = new HashSet<(string, DateOnly, TouchpointKind)>();
        var first = FirstDay;
        var last = LastDay;

        void Add(DemoUser user, DateOnly on, TouchpointKind kind, string summary, DateOnly until)
        {
            on = on.DayOfWeek switch { DayOfWeek.Saturday => on.AddDays(2), DayOfWeek.Sunday => on.AddDays(1), _ => on };
            if (on < first || on > until || on > _asOf || !taken.Add((user.Email, on, kind))) return;
            touchpoints.Add((on, touchpoints.Count, new DemoTouchpoint(user.Email, on, kind, summary)));
        }

        if (_profile.CustomerSince >= first)
        {
            var sessions = Enumerable.Range(0, r.Between(3, 5)).Select(_ => _profile.CustomerSince.AddDays(r.Between(2, 45))).Order().ToList();
            for (var i = 0; i < sessions.Count; i++)
                Add(_csm, sessions[i], TouchpointKind.Meeting, $"Onboarding session {i + 1}", last);
        }

        var (interval, menu) = _profile.Tier switch
        {
            ServiceTier.High => (12.0, DemoCatalog.HighTouch),
            ServiceTier.Medium => (30.0, DemoCatalog.MediumTouch),
            _ => (80.0, DemoCatalog.LowTouch),
        };
        // Accounts on their way out were neglected first: for at least their last four months they heard from their
        // CSM far less often [003].
        var neglectedFrom = TroubledFate && _profile.TroubleFrom is { } troubleFrom
            ? Earlier(troubleFrom, (_profile.TroubleUntil ?? _asOf).AddDays(-120))
            : DateOnly.MaxValue;
        for (var day = first.AddDays(r.Between(0, (int)interval)); day <= last;)
        {
            var (kind, summary) = r.Pick(menu);
            Add(_csm, day, kind, summary, last);
            var mean = interval * (day >= neglectedFrom ? 4 : 1);
            day = day.AddDays(Math.Max(1, (int)Math.Round(mean * 0.5 + r.Exponential(mean * 0.5))));
        }

        if (_profile.Tier == ServiceTier.High)
        {
            for (var k = 1; ; k++)
            {
                var qbr = _profile.CustomerSince.AddMonths(3 * k);
                if (qbr > last) break;
                if (qbr < first || qbr >= neglectedFrom && r.Chance(0.6)) continue; // postponed, never rebooked
                Add(_csm, qbr, TouchpointKind.Qbr, r.Pick(["QBR: goals and adoption review", "QBR: roadmap and renewal planning", "QBR: value delivered this quarter"]), last);
            }
        }

        // Half the voluntary churners asked to cancel in time for a save call; the others simply did not renew.
        if (_profile.Fate == AccountFate.VoluntaryChurn && _profile.EndedOn is { } end && r.Chance(0.5))
            Add(_csm, end.AddDays(-r.Between(3, 25)), TouchpointKind.Call, "Save call: the customer asked to cancel", last);

        var ladder = new[] { _staff.CollectorFor(_country), _csm, _staff.Controller, _staff.Cfo };
        var lastReminder = new DateOnly?[ladder.Length];
        foreach (var (number, due, settledOn, disputed) in billing.Receivables)
        {
            if (disputed) continue; // a dispute pauses the chase
            foreach (var step in CollectionLadder)
            {
                var on = due.AddDays(step.Days);
                if (on > _asOf || settledOn is { } paid && paid <= on) break;
                // Everyone above the collector writes about the account's arrears, not each invoice: once in six weeks at most.
                if (step.Who > 0 && lastReminder[step.Who] is { } previous && on.DayNumber - previous.DayNumber < 45) continue;
                lastReminder[step.Who] = on;
                Add(ladder[step.Who], on, step.Kind, string.Format(System.Globalization.CultureInfo.InvariantCulture, step.Summary, number), _asOf);
            }
        }

        return touchpoints.OrderBy(t => t.On).ThenBy(t => t.Order).Select(t => t.Touchpoint).ToList();
    }
}
