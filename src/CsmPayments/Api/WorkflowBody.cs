using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CsmPayments.Api;

/// <summary>
/// The JSON object of a workflow request, read field by field: every bad or unknown field is collected, so one
/// answer lists them all. Dates are <c>yyyy-MM-dd</c>; amounts are numbers or strings with <c>.</c> decimals.
/// </summary>
internal sealed class WorkflowBody
{
    private readonly JsonElement _body;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    private bool _notObject;

    private WorkflowBody(JsonElement body) => _body = body;

    /// <summary>The body; a problem when it is too large or not JSON. A body that is not an object is one bad field, <c>body</c>.</summary>
    public static async Task<(WorkflowBody? Body, ProblemHttpResult? Problem)> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        var (json, problem) = await ApiBody.ReadJsonAsync(request, limit, ct);
        if (problem is not null) return (null, problem);
        using var document = json!;
        if (document.RootElement.ValueKind == JsonValueKind.Object) return (new WorkflowBody(document.RootElement.Clone()), null);
        using var empty = JsonDocument.Parse("{}");
        var body = new WorkflowBody(empty.RootElement.Clone());
        body.Add("body", "expected a JSON object");
        body._notObject = true;
        return (body, null);
    }

    public bool IsValid
    {
        get
        {
            CheckUnknown();
            return _errors.Count == 0;
        }
    }

    public bool HasError(string field) => _errors.ContainsKey(field);

    /// <summary>Adds a bad field; a body that is not an object has only the one, <c>body</c>.</summary>
    public void Add(string field, string reason)
    {
        if (!_notObject) (_errors.TryGetValue(field, out var list) ? list : _errors[field] = []).Add(reason);
    }

    public ValidationProblem Problem()
    {
        CheckUnknown();
        return TypedResults.ValidationProblem(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), title: "The request has invalid fields; nothing was changed",
            detail: $"{_errors.Values.Sum(v => v.Count)} problem(s)");
    }

    public string? Text(string name, bool required = false)
    {
        var value = Get(name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            if (required) Add(name, "a value is required");
            return null;
        }
        if (value.Value.ValueKind != JsonValueKind.String)
        {
            Add(name, "expected text");
            return null;
        }
        var text = value.Value.GetString()!.Trim();
        if (text.Length == 0)
        {
            if (required) Add(name, "a value is required");
            return null;
        }
        return text;
    }

    /// <summary>An amount above zero.</summary>
    public decimal? Amount(string name, bool required = false)
    {
        var value = Get(name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            if (required) Add(name, "a value is required");
            return null;
        }
        decimal amount;
        if (value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetDecimal(out var n)) amount = n;
        else if (value.Value.ValueKind == JsonValueKind.String
                 && decimal.TryParse(value.Value.GetString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s)) amount = s;
        else
        {
            Add(name, $"{value.Value.GetRawText()} is not an amount: use digits with '.' for decimals, e.g. 1250.00");
            return null;
        }
        if (amount <= 0m)
        {
            Add(name, $"{amount} is not above zero");
            return null;
        }
        return amount;
    }

    /// <summary>A percentage from 0 to 100.</summary>
    public decimal? Percent(string name)
    {
        var value = Get(name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null) return null;
        if (value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetDecimal(out var n) && n is >= 0m and <= 100m) return n;
        Add(name, $"{value.Value.GetRawText()} is not a percentage from 0 to 100");
        return null;
    }

    /// <summary>A whole number of at least one.</summary>
    public int? Whole(string name, bool required = false)
    {
        var value = Get(name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null)
        {
            if (required) Add(name, "a value is required");
            return null;
        }
        if (value.Value.ValueKind == JsonValueKind.Number && value.Value.TryGetInt32(out var n) && n >= 1) return n;
        Add(name, $"{value.Value.GetRawText()} is not a whole number above zero");
        return null;
    }

    public DateOnly? Date(string name, bool required = false)
    {
        var text = Text(name, required);
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        Add(name, $"'{text}' is not a date (expected yyyy-MM-dd)");
        return null;
    }

    public bool Flag(string name)
    {
        var value = Get(name);
        if (value is null || value.Value.ValueKind is JsonValueKind.Null or JsonValueKind.False) return false;
        if (value.Value.ValueKind == JsonValueKind.True) return true;
        Add(name, "expected true or false");
        return false;
    }

    public IReadOnlyList<string> Texts(string name)
    {
        var value = Get(name);
        if (value is null || value.Value.ValueKind == JsonValueKind.Null) return [];
        if (value.Value.ValueKind != JsonValueKind.Array || value.Value.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String || v.GetString()!.Trim().Length == 0))
        {
            Add(name, "expected a list of texts");
            return [];
        }
        return value.Value.EnumerateArray().Select(v => v.GetString()!.Trim()).ToList();
    }

    /// <summary>One of <paramref name="choices"/>, by its word.</summary>
    public T? Choice<T>(string name, IReadOnlyDictionary<string, T> choices) where T : struct
    {
        var text = Text(name, required: true);
        if (text is null) return null;
        if (choices.TryGetValue(text.ToLowerInvariant(), out var choice)) return choice;
        Add(name, $"'{text}' is not one of {string.Join(", ", choices.Keys)}");
        return null;
    }

    private JsonElement? Get(string name)
    {
        _known.Add(name);
        return _body.TryGetProperty(name, out var value) ? value : null;
    }

    private void CheckUnknown()
    {
        foreach (var property in _body.EnumerateObject())
            if (!_known.Contains(property.Name) && !_errors.ContainsKey(property.Name))
                Add(property.Name, $"not a field of this request (fields: {string.Join(", ", _known)})");
    }
}
