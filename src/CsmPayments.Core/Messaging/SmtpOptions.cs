namespace CsmPayments.Messaging;

/// <summary>Bound from the <c>Smtp</c> configuration section. The password is never written to logs or output.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string Host { get; set; } = "";
    public int Port { get; set; } = 25;
    public string? UserName { get; set; }
    public string? Password { get; set; }

    /// <summary>True: TLS from the start on port 465, STARTTLS otherwise; false: plain SMTP (a relay on the same host).</summary>
    public bool UseTls { get; set; } = true;

    /// <summary>The address every message is sent from; the sender's own address goes into Reply-To.</summary>
    public string From { get; set; } = "";

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host)) throw new SmtpConfigurationException("Smtp:Host is empty: set the SMTP server that sends the mail");
        if (Port is < 1 or > 65535) throw new SmtpConfigurationException($"Smtp:Port {Port} is not a port number (1-65535)");
        if (string.IsNullOrWhiteSpace(From) || !From.Contains('@', StringComparison.Ordinal))
            throw new SmtpConfigurationException($"Smtp:From '{From}' is not an email address");
        if (!string.IsNullOrEmpty(UserName) && Password is null)
            throw new SmtpConfigurationException("Smtp:UserName is set but Smtp:Password is not");
    }

    /// <summary>What may be shown about the settings: everything but the password.</summary>
    public override string ToString() =>
        $"{Host}:{Port} tls={UseTls} from={From}" + (string.IsNullOrEmpty(UserName) ? "" : $" user={UserName} password=***");
}

public sealed class SmtpConfigurationException(string message) : Exception(message);
