using System.Text.Json;

namespace CsmPayments.Import;

/// <summary>
/// The values a body of JSON records holds in a column, known before any row is read, so that an import of a few records
/// looks up only the accounts, invoices and users they name instead of the whole book. A file streams its rows after the
/// lookups and may name any key, so it has none and reads every key.
/// </summary>
internal sealed class RecordKeys(IReadOnlyList<JsonElement> records)
{
    private readonly Dictionary<string, string[]> _values = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The distinct trimmed values of <paramref name="column"/> across the records, as the row reader will read them.</summary>
    public string[] Values(ImportColumn column)
    {
        if (_values.TryGetValue(column.Name, out var known)) return known;
        var values = new HashSet<string>(StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (record.ValueKind != JsonValueKind.Object) continue;
            foreach (var property in record.EnumerateObject())
            {
                if (!string.Equals(property.Name, column.Name, StringComparison.OrdinalIgnoreCase)) continue;
                var text = property.Value.ValueKind switch
                {
                    JsonValueKind.String => property.Value.GetString(),
                    JsonValueKind.Number => property.Value.GetRawText(),
                    _ => null,
                };
                if (text?.Trim() is { Length: > 0 } value) values.Add(value);
            }
        }
        return _values[column.Name] = [.. values];
    }
}
