using CsmPayments.Billing;
using CsmPayments.Engagement;

namespace CsmPayments.Demo;

/// <summary>The words and numbers the demo company is made of. Lists, never sets or dictionaries: the order of draws must not vary.</summary>
internal static class DemoCatalog
{
    public sealed record Country(string Code, double Weight, string Currency, string[] TimeZones, string? AlternativeCurrency = null);

    // Weighted toward the US, as a US-based SaaS vendor's book would be; a few non-US customers are billed in USD.
    public static readonly Country[] Countries =
    [
        new("US", 58, "USD", ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Phoenix"]),
        new("CA", 7, "CAD", ["America/Toronto", "America/Vancouver", "America/Edmonton", "America/Halifax"]),
        new("GB", 9, "GBP", ["Europe/London"]),
        new("IE", 1.5, "EUR", ["Europe/Dublin"]),
        new("DE", 4, "EUR", ["Europe/Berlin"]),
        new("FR", 3, "EUR", ["Europe/Paris"]),
        new("NL", 2, "EUR", ["Europe/Amsterdam"]),
        new("ES", 1, "EUR", ["Europe/Madrid"]),
        new("AU", 5, "AUD", ["Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth"]),
        new("NZ", 1.5, "NZD", ["Pacific/Auckland"]),
        new("SG", 1.5, "USD", ["Asia/Singapore"], AlternativeCurrency: "SGD"),
        new("JP", 1, "JPY", ["Asia/Tokyo"]),
        new("IN", 1.5, "USD", ["Asia/Kolkata"]),
        new("BR", 1, "USD", ["America/Sao_Paulo"]),
        new("MX", 1, "USD", ["America/Mexico_City"]),
        new("SE", 1, "USD", ["Europe/Stockholm"]),
        new("IL", 1, "USD", ["Asia/Jerusalem"]),
    ];

    /// <summary>
    /// US dollars per unit, used only to set local list prices. Fixed here rather than read from configuration, so the
    /// same seed gives the same company whatever rates an installation configures.
    /// </summary>
    public static decimal UsdPerUnit(string currency) => currency switch
    {
        "EUR" => 1.08m,
        "GBP" => 1.27m,
        "CAD" => 0.73m,
        "AUD" => 0.66m,
        "NZD" => 0.60m,
        "SGD" => 0.74m,
        "JPY" => 0.0067m,
        _ => 1m,
    };

    public sealed record Industry(string Name, double Weight, string[] Suffixes);

    public static readonly Industry[] Industries =
    [
        new("Software", 16, ["Software", "Labs", "Systems", "Technologies"]),
        new("Retail", 9, ["Retail", "Outfitters", "Goods", "Stores"]),
        new("Healthcare", 9, ["Health", "Clinics", "Care", "Medical"]),
        new("Financial Services", 9, ["Financial", "Capital", "Partners", "Lending"]),
        new("Manufacturing", 9, ["Manufacturing", "Industries", "Works", "Fabrication"]),
        new("Education", 6, ["Learning", "Academy", "Education", "Schools"]),
        new("Logistics", 7, ["Logistics", "Freight", "Shipping", "Transport"]),
        new("Media", 6, ["Media", "Studios", "Publishing", "Creative"]),
        new("Professional Services", 10, ["Consulting", "Advisors", "Group", "Associates"]),
        new("Hospitality", 5, ["Hotels", "Hospitality", "Restaurants", "Resorts"]),
        new("Non-profit", 4, ["Foundation", "Alliance", "Trust", "Society"]),
        new("Real Estate", 5, ["Properties", "Realty", "Estates", "Homes"]),
        new("Energy", 5, ["Energy", "Power", "Renewables", "Utilities"]),
    ];

    public static readonly string[] NameStarts =
    [
        "Blue", "North", "Silver", "Red", "Green", "Bright", "Clear", "Iron", "Golden", "High", "Summit", "Cedar", "Maple", "Oak",
        "Pine", "River", "Harbor", "Stone", "Granite", "Copper", "Lake", "Prairie", "Coastal", "Pacific", "Atlantic", "Evergreen",
        "Sunrise", "Lighthouse", "Keystone", "Crescent", "Falcon", "Eagle", "Fox", "Wolf", "Orchid", "Juniper", "Willow", "Aspen",
        "Beacon", "Compass", "Pioneer", "Frontier", "Meridian", "Vertex", "Apex", "Nimbus", "Polar", "Crimson", "Amber", "Cobalt",
        "Sterling", "Union", "Liberty", "Heritage", "Canyon", "Mesa", "Tidewater", "Highland", "Lowland", "Redwood",
    ];

    public static readonly string[] NameMiddles =
    [
        "Bay", "Peak", "Ridge", "Point", "Field", "Brook", "Gate", "Path", "Line", "Bridge", "Works", "Valley", "Harbor", "Forge",
        "Park", "Crest", "Spring", "Wave", "Arc", "Hill", "Grove", "Stone", "Rock", "Port", "Haven", "Mill", "Star", "Light",
        "Trail", "Shore", "Wind", "Well", "Wood", "Hollow", "Creek", "Cove", "Dale", "Moor", "Ford", "Vale",
    ];

    public static readonly string[] FirstNames =
    [
        "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "James", "Mia", "William", "Amelia",
        "Benjamin", "Harper", "Lucas", "Evelyn", "Henry", "Abigail", "Alexander", "Emily", "Daniel", "Ella", "Michael", "Grace",
        "Mateo", "Chloe", "Ethan", "Zoe", "Jack", "Nora", "Sebastian", "Lily", "Aiden", "Hannah", "Owen", "Layla", "Samuel",
        "Aria", "Ryan", "Leah", "Nathan", "Maya", "Caleb", "Priya", "Arjun", "Yuki", "Hiroshi", "Ingrid", "Lars", "Sofia", "Diego",
        "Camila", "Luca", "Giulia", "Amara", "Kwame", "Fatima", "Omar", "Mei", "Wei", "Siobhan", "Niamh", "Aroha", "Tane",
        "Chloé", "Jürgen", "Renée", "Søren", "Zoë", "José", "Inés",
    ];

    public static readonly string[] LastNames =
    [
        "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez",
        "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark",
        "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker", "Nelson",
        "Carter", "Mitchell", "Roberts", "Campbell", "Parker", "Evans", "Edwards", "Collins", "Stewart", "Morris", "Murphy",
        "Cook", "Rogers", "Patel", "Shah", "Kim", "Nguyen", "Chen", "Wang", "Tanaka", "Sato", "Schmidt", "Fischer", "Weber",
        "Dubois", "Moreau", "Rossi", "Bianchi", "O'Brien", "Kelly", "Nilsson", "Larsen", "Okafor", "Mensah", "Singh", "Cohen",
        "Silva", "Santos", "Novak", "Kowalski",
    ];

    public static readonly (string Item, double Weight)[] DeclineCodes =
    [
        ("insufficient_funds", 35), ("card_declined", 30), ("expired_card", 15), ("do_not_honor", 12), ("processing_error", 8),
    ];

    public static readonly string[] RoutineTickets =
    [
        "How do I export a report to CSV?", "Add a new user to our workspace", "SSO login question", "Question about API rate limits",
        "Change the owner of our workspace", "Dashboard filter not saving", "Request: dark mode", "How to set up the Slack integration",
        "Update billing contact", "Bulk import of records failed on row 12", "Email notifications arriving late",
        "Permissions for a read-only role", "Webhook retries question", "Custom field not showing in report",
        "Training materials for new team members", "Timezone on scheduled reports is wrong",
    ];

    public static readonly string[] SevereTickets =
    [
        "Production outage: dashboard not loading", "Data sync stopped overnight", "Users locked out after SSO change",
        "Reports show wrong totals since last release", "API returning 500 errors", "Integration with our ERP broken",
        "Missing data for last week", "Critical: scheduled exports failing", "Performance: pages take 30 seconds to load",
        "Security question from our auditor, urgent",
    ];

    public static readonly string[] PromoterComments =
    [
        "The team is fantastic, always quick to help.", "Saves us hours every week.", "Our CSM really understands our business.",
        "Reporting is best in class.", "Rollout went smoothly across all teams.",
    ];

    public static readonly string[] PassiveComments =
    [
        "Does the job, but the UI could be simpler.", "Good product, pricing is getting steep.", "Would like more integrations.",
        "Fine overall; support is slow at times.",
    ];

    public static readonly string[] DetractorComments =
    [
        "Too many outages lately.", "Support tickets take weeks to get resolved.", "We are not getting the value we expected.",
        "The price increase was not justified.", "Nobody from your side has checked in with us for months.",
        "Adoption has stalled; the team went back to spreadsheets.", "Billing errors keep happening.",
        "Considering other tools at renewal.",
    ];

    public static readonly (TouchpointKind Kind, string Summary)[] HighTouch =
    [
        (TouchpointKind.Call, "Weekly sync: adoption and open questions"), (TouchpointKind.Call, "Call with champion about roadmap"),
        (TouchpointKind.Meeting, "Workshop: advanced reporting"), (TouchpointKind.Meeting, "Executive sponsor meeting"),
        (TouchpointKind.Email, "Shared usage summary for the month"), (TouchpointKind.Email, "Follow-up on feature request"),
        (TouchpointKind.Note, "Champion mentioned a new department may onboard"),
    ];

    public static readonly (TouchpointKind Kind, string Summary)[] MediumTouch =
    [
        (TouchpointKind.Email, "Monthly check-in email"), (TouchpointKind.Email, "Sent best-practice guide"),
        (TouchpointKind.Call, "Check-in call with champion"), (TouchpointKind.Call, "Call about new release"),
        (TouchpointKind.Meeting, "Training session for new users"), (TouchpointKind.Note, "Logged feedback from champion"),
    ];

    public static readonly (TouchpointKind Kind, string Summary)[] LowTouch =
    [
        (TouchpointKind.Email, "Quarterly newsletter follow-up"), (TouchpointKind.Email, "Invited to customer webinar"),
        (TouchpointKind.Email, "Shared onboarding resources"), (TouchpointKind.Note, "Reviewed account health"),
        (TouchpointKind.Call, "Short check-in call"),
    ];

    public static string Plan(decimal usdMrr) => usdMrr switch
    {
        < 400m => "Starter",
        < 1_500m => "Growth",
        < 4_000m => "Business",
        _ => "Enterprise",
    };

    /// <summary>The service tier an account of this size gets [002]: the largest are high touch.</summary>
    public static Accounts.ServiceTier Tier(decimal usdMrr) => usdMrr switch
    {
        >= 4_000m => Accounts.ServiceTier.High,
        >= 1_000m => Accounts.ServiceTier.Medium,
        _ => Accounts.ServiceTier.Low,
    };
}
