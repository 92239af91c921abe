using System.Text;
using System.Text.Json;
using CsvHelper;

namespace CsmPayments.Import;

/// <summary>
/// Where an <see cref="ImportRow"/> reads its values from: the current record of a CSV file, or one object of a JSON
/// body. Either way a value is UTF-8 text, so one set of row rules serves the import and the API.
/// </summary>
internal abstract class RowValues
{
    /// <summary>The field that holds <paramref name="column"/>; false when the source does not have the column.</summary>
    public abstract bool TryField(string column, out int field);

    /// <summary>The field's value as UTF-8 bytes; empty when the value is empty.</summary>
    public abstract ReadOnlySpan<byte> Span(int field);

    public abstract string Text(int field);
}

/// <summary>The current record of a CSV file, its fields found by the header.</summary>
internal sealed class CsvRowValues(CsvReader csv, IReadOnlyDictionary<string, int> fieldOf) : RowValues
{
    public override bool TryField(string column, out int field) => fieldOf.TryGetValue(column, out field);

    public override ReadOnlySpan<byte> Span(int field) => csv.GetSpan(field);

    public override string Text(int field) => csv.GetString(field);
}

/// <summary>
/// One JSON object read as a row: a property per column, named as the CSV header names it. Strings are read as they
/// are, numbers as written (so <c>1234.50</c> keeps its decimals), <c>true</c>/<c>false</c> as words, and
/// <c>null</c> as an empty value.
/// </summary>
internal sealed class JsonRowValues : RowValues
{
    private readonly Dictionary<string, int> _fieldOf = new(StringComparer.Ordinal);
    private readonly List<string> _texts = [];
    private readonly List<byte[]> _bytes = [];

    public override bool TryField(string column, out int field) => _fieldOf.TryGetValue(column, out field);

    public override ReadOnlySpan<byte> Span(int field) => _bytes[field];

    public override string Text(int field) => _texts[field];

    /// <summary>Takes the object's properties; reports those that are not columns, or hold an object or a list.</summary>
    internal void Load(JsonElement record, IReadOnlyList<ImportColumn> columns, ImportRow row)
    {
        _fieldOf.Clear();
        _texts.Clear();
        _bytes.Clear();
        if (record.ValueKind != JsonValueKind.Object)
        {
            row.Error("body", $"each record must be a JSON object with the fields {string.Join(", ", columns)}, not {Kind(record.ValueKind)}");
            return;
        }
        foreach (var property in record.EnumerateObject())
        {
            var column = columns.FirstOrDefault(c => string.Equals(c.Name, property.Name, StringComparison.OrdinalIgnoreCase));
            if (column is null)
            {
                row.Error(property.Name, $"unknown field; the fields are {string.Join(", ", columns)}");
                continue;
            }
            string? text = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetRawText(),
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Null => "",
                _ => null,
            };
            if (text is null)
            {
                row.Error(column.Name, $"must be a text or a number, not {Kind(property.Value.ValueKind)}");
                continue;
            }
            if (!_fieldOf.TryAdd(column.Name, _texts.Count))
            {
                row.Error(column.Name, "appears twice in the record");
                continue;
            }
            var trimmed = text.Trim();
            _texts.Add(trimmed);
            _bytes.Add(Encoding.UTF8.GetBytes(trimmed));
        }
    }

    private static string Kind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a text",
        JsonValueKind.Number => "a number",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
