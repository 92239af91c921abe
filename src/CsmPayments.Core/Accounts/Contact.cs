namespace CsmPayments.Accounts;

/// <summary>What a contact is to us: billing (accounts payable), champion, executive sponsor, user.</summary>
public enum ContactRole { Billing, Champion, Executive, User }

/// <summary>A person at a customer account.</summary>
public sealed class Contact
{
    private Contact() { Email = Name = ""; }

    public Contact(string email, long accountId, string name, ContactRole role)
    {
        Email = Guard.Email(email);
        AccountId = accountId;
        Name = Guard.Required(name, nameof(name));
        Role = role;
    }

    public long Id { get; private set; }
    public string Email { get; private set; }
    public long AccountId { get; private set; }
    public string Name { get; private set; }
    public ContactRole Role { get; private set; }
}
