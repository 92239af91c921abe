namespace CsmPayments.Accounts;

public enum UserRole { Csm, Collector, Controller, Cfo, CsLead, Admin }

/// <summary>A person of the organisation using CsmPayments: a CSM, a collector, finance, a leader.</summary>
public sealed class User
{
    private User() { Email = Name = ""; }

    public User(string email, string name, UserRole role, int? capacity)
    {
        Email = Guard.Email(email);
        Name = Guard.Required(name, nameof(name));
        Role = role;
        Capacity = capacity is null or > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), "capacity must be positive");
    }

    public long Id { get; private set; }
    public string Email { get; private set; }
    public string Name { get; private set; }
    public UserRole Role { get; private set; }

    /// <summary>How many accounts (weighted by tier) this person can carry; empty when not set.</summary>
    public int? Capacity { get; private set; }
}
