using System.Globalization;
using CsmPayments.Cli;

namespace CsmPayments.Scheduling;

/// <summary>
/// The <c>Scheduling</c> section: whether <c>serve</c> runs the scheduler, when the daily cycle runs (local time in the
/// organisation's time zone) and how often the outbox dispatcher looks for messages that are due.
/// </summary>
public sealed class SchedulingOptions
{
    public const string Section = "Scheduling";

    public bool Enabled { get; set; } = true;

    /// <summary>HH:mm in the organisation's time zone.</summary>
    public string DailyCycleAt { get; set; } = "06:00";

    public int DispatchEverySeconds { get; set; } = 60;

    /// <summary>This node's id in a cluster; empty for one generated from the host name and the time.</summary>
    public string? InstanceId { get; set; }

    public TimeOnly DailyCycleTime() =>
        TimeOnly.TryParseExact(DailyCycleAt, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
            ? at
            : throw new UserErrorException($"configuration: Scheduling:DailyCycleAt '{DailyCycleAt}' is not a time of day such as 06:00 (HH:mm)");

    public TimeSpan DispatchInterval() =>
        DispatchEverySeconds is >= 1 and <= 86_400
            ? TimeSpan.FromSeconds(DispatchEverySeconds)
            : throw new UserErrorException($"configuration: Scheduling:DispatchEverySeconds is {DispatchEverySeconds}; it must be between 1 and 86400");
}
