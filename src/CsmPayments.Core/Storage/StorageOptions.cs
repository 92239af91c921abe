namespace CsmPayments.Storage;

/// <summary>
/// Which database to use. Bound from <c>Database:Provider</c> (<c>sqlite</c> or <c>postgres</c>) and
/// <c>ConnectionStrings:CsmPayments</c>. Without a connection string SQLite uses <see cref="DefaultSqlitePath"/>.
/// </summary>
public sealed record StorageOptions(StorageProvider Provider, string ConnectionString)
{
    /// <summary>
    /// The embedded database's default file: <c>$CSM_PAYMENTS_HOME/csm-payments.db</c>, else
    /// <c>~/.local/share/csm-payments/csm-payments.db</c> (the platform's local application data folder).
    /// </summary>
    public static string DefaultSqlitePath()
    {
        var home = Environment.GetEnvironmentVariable("CSM_PAYMENTS_HOME");
        if (string.IsNullOrWhiteSpace(home))
            home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "csm-payments");
        return Path.Combine(home, "csm-payments.db");
    }

    public static StorageOptions From(string? provider, string? connectionString)
    {
        var kind = (provider ?? "sqlite").Trim().ToLowerInvariant() switch
        {
            "sqlite" => StorageProvider.Sqlite,
            "postgres" or "postgresql" or "npgsql" => StorageProvider.Postgres,
            var other => throw new StorageConfigurationException($"Database:Provider '{other}' is not supported: use 'sqlite' or 'postgres'"),
        };
        if (kind == StorageProvider.Postgres && string.IsNullOrWhiteSpace(connectionString))
            throw new StorageConfigurationException("Database:Provider is 'postgres' but ConnectionStrings:CsmPayments is empty");
        if (kind == StorageProvider.Sqlite && string.IsNullOrWhiteSpace(connectionString))
        {
            var path = DefaultSqlitePath();
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            connectionString = $"Data Source={path}";
        }
        return new StorageOptions(kind, connectionString!);
    }
}

public sealed class StorageConfigurationException(string message) : Exception(message);
