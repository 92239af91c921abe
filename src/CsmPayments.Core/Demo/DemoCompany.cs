using CsmPayments.Accounts;

namespace CsmPayments.Demo;

/// <summary>What a demo company is made from: its size, the seed that makes it repeatable, and the as-of date nothing passes.</summary>
public sealed record DemoSettings
{
    public const int DefaultAccounts = 300;
    public const int DefaultSeed = 42;
    public const int MaxAccounts = 1_000_000;
    public static readonly DateOnly MinAsOf = new(2000, 1, 1);
    public static readonly DateOnly MaxAsOf = new(9990, 12, 31);

    public DemoSettings(int accounts, int seed, DateOnly asOf)
    {
        Accounts = accounts is >= 1 and <= MaxAccounts
            ? accounts
            : throw new ArgumentOutOfRangeException(nameof(accounts), $"a demo company has 1 to {MaxAccounts:N0} accounts, not {accounts}");
        Seed = seed;
        // Contracts reach back up to five years before the as-of date; dates keep well inside DateOnly's range.
        AsOf = asOf >= MinAsOf && asOf <= MaxAsOf
            ? asOf
            : throw new ArgumentOutOfRangeException(nameof(asOf), $"the as-of date must be between {MinAsOf:yyyy-MM-dd} and {MaxAsOf:yyyy-MM-dd}");
    }

    public int Accounts { get; }
    public int Seed { get; }

    /// <summary>The last day of history: nothing that happens (an issue, a payment, a usage day, a ticket) is dated after it.</summary>
    public DateOnly AsOf { get; }

    /// <summary>The first day of history: one year before <see cref="AsOf"/>. Contracts may have started earlier.</summary>
    public DateOnly HistoryStart => AsOf.AddYears(-1);
}

/// <summary>
/// A realistic demo company: our staff, and accounts that each live through a <see cref="AccountFate"/>. Accounts are
/// generated one at a time as they are enumerated, so a company of any size streams without holding it in memory.
/// The same settings always give the same company.
/// </summary>
public sealed class DemoCompany(DemoSettings settings)
{
    /// <summary>
    /// Fates are dealt in blocks of twenty, shuffled per block, so every company of twenty accounts or more has every
    /// fate, the mix is exact rather than left to chance, and an account's fate does not depend on the company's size.
    /// </summary>
    private static readonly AccountFate[] FateBlock =
    [
        AccountFate.Healthy, AccountFate.Healthy, AccountFate.Healthy, AccountFate.Healthy, AccountFate.Healthy, AccountFate.Healthy,
        AccountFate.Healthy, AccountFate.Growing, AccountFate.Growing, AccountFate.Growing, AccountFate.Contracting,
        AccountFate.New, AccountFate.New, AccountFate.Recovered, AccountFate.VoluntaryChurn, AccountFate.VoluntaryChurn,
        AccountFate.DelinquentChurn, AccountFate.SilentChurn, AccountFate.AtRisk, AccountFate.Delinquent,
    ];

    public DemoSettings Settings { get; } = settings;

    public DemoStaff Staff { get; } = new(settings.Accounts);

    public static AccountFate FateOf(int seed, int index)
    {
        var block = (AccountFate[])FateBlock.Clone();
        Draw.Stream(seed, index / FateBlock.Length, Draw.Blocks).Shuffle(block);
        return block[index % FateBlock.Length];
    }

    public IEnumerable<DemoAccount> Accounts(CancellationToken ct = default)
    {
        var names = new DemoAccountBuilder.NameRegistry();
        for (var i = 0; i < Settings.Accounts; i++)
        {
            ct.ThrowIfCancellationRequested();
            yield return new DemoAccountBuilder(Settings, Staff, i, FateOf(Settings.Seed, i), names).Build();
        }
    }
}

/// <summary>Our side of the demo: eight CSMs with uneven books, two collectors, a controller, a CFO, a CS lead and an admin.</summary>
public sealed class DemoStaff
{
    public const string Domain = "lumora.example";

    private static readonly (string Name, double Share, double CapacityFactor, bool Senior)[] CsmRoster =
    [
        // Books are uneven on purpose: two CSMs carry more than their capacity, one has room [002].
        ("Avery Chen", 1.35, 1.10, true),
        ("Jordan Patel", 1.00, 1.15, true),
        ("Samira Okafor", 1.10, 1.10, true),
        ("Riley Nguyen", 1.30, 1.00, false),
        ("Morgan Silva", 0.70, 1.05, false),
        ("Taylor Brooks", 0.95, 1.00, false),
        ("Zoë Laurent", 0.85, 1.00, false),
        ("Diego Romero", 0.75, 0.95, false),
    ];

    public DemoStaff(int accounts)
    {
        var shareTotal = CsmRoster.Sum(c => c.Share);
        // Capacity is in tier-weighted accounts (high 3, medium 2, low 1); a typical book averages about 1.5 per account.
        var averageLoad = accounts * 1.5 / CsmRoster.Length;
        Csms = CsmRoster
            .Select(c => new DemoUser(Email(c.Name), c.Name, UserRole.Csm, Math.Max(5, (int)Math.Round(averageLoad * c.CapacityFactor))))
            .ToArray();
        _csmShares = CsmRoster.Select((c, i) => (i, c.Share / shareTotal)).ToArray();
        _seniorShares = CsmRoster.Select((c, i) => (i, c.Senior ? c.Share : 0.0)).Where(s => s.Item2 > 0).ToArray();
        Collectors = [Person("Dana Kowalski", UserRole.Collector), Person("Luis Romero", UserRole.Collector)];
        Controller = Person("Priya Raman", UserRole.Controller);
        Cfo = Person("Martin Becker", UserRole.Cfo);
        CsLead = Person("Elena García", UserRole.CsLead);
        Admin = Person("Pat Lee", UserRole.Admin);
        All = [.. Csms, .. Collectors, Controller, Cfo, CsLead, Admin];
    }

    private readonly (int Index, double Share)[] _csmShares;
    private readonly (int Index, double Share)[] _seniorShares;

    public IReadOnlyList<DemoUser> Csms { get; }
    public IReadOnlyList<DemoUser> Collectors { get; }
    public DemoUser Controller { get; }
    public DemoUser Cfo { get; }
    public DemoUser CsLead { get; }
    public DemoUser Admin { get; }

    /// <summary>Everyone, in the order written to users.csv.</summary>
    public IReadOnlyList<DemoUser> All { get; }

    /// <summary>High-touch accounts go to the senior CSMs; the rest spread over everyone by book share.</summary>
    internal DemoUser AssignCsm(Random random, ServiceTier tier) =>
        Csms[random.Pick(tier == ServiceTier.High ? _seniorShares : _csmShares)];

    /// <summary>Collections are split by region: one collector for the Americas, one for the rest of the world.</summary>
    internal DemoUser CollectorFor(string country) =>
        country is "US" or "CA" or "BR" or "MX" ? Collectors[0] : Collectors[1];

    private static DemoUser Person(string name, UserRole role) => new(Email(name), name, role, null);

    private static string Email(string name) =>
        DemoAccountBuilder.Slug(name, '.') + "@" + Domain;
}
