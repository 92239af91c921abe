namespace CsmPayments;

internal static class Guard
{
    public static string Required(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{name} is required", name) : value.Trim();

    public static string Email(string? value)
    {
        var email = Required(value, "email");
        var at = email.IndexOf('@');
        return at > 0 && at < email.Length - 1 && !email.Contains(' ')
            ? email.ToLowerInvariant()
            : throw new ArgumentException($"'{email}' is not an email address", nameof(value));
    }

    public static Money NotNegative(Money money, string name) =>
        money.IsNegative ? throw new ArgumentOutOfRangeException(name, $"{name} cannot be negative") : money;
}
