using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using CsmPayments.Usage;

namespace CsmPayments.Api;

/// <summary>
/// The common case of <see cref="UsageApi"/> read straight from the body's bytes: a valid own-format or Segment batch
/// becomes samples without an object per event, each account's external id is one string however often it occurs, and
/// dates are read from the bytes. Anything unusual — an unexpected shape, an escaped or padded text, a bad value — gives
/// <c>null</c>, and the full reader reads the body instead, with its errors: this reader never decides what is wrong.
/// </summary>
internal sealed class UsageFastReader
{
    private const int MaxKeyChars = 256;

    private readonly TimeZoneInfo _zone;
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, string> _texts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly List<UsageSample> _samples = [];
    private readonly List<int> _undated = [];
    private int _skipped;

    private UsageFastReader(TimeZoneInfo zone, TimeProvider clock)
    {
        _zone = zone;
        _clock = clock;
        _lookup = _texts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The samples of a valid batch, and how many messages carried no usage; <c>null</c> when the full reader must read it.</summary>
    public static (List<UsageSample> Samples, int Skipped)? TryRead(ReadOnlySpan<byte> json, TimeZoneInfo zone, TimeProvider clock)
    {
        var reader = new UsageFastReader(zone, clock);
        try
        {
            return reader.ReadBody(json) ? (reader._samples, reader._skipped) : null;
        }
        catch (JsonException)
        {
            // Not JSON, or not as expected: the full reader says where.
            return null;
        }
    }

    private bool ReadBody(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return false;
        var (sawEvents, sawBatch) = (false, false);
        DateOnly? batchSentAt = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("events"u8))
            {
                if (sawEvents || !r.Read() || r.TokenType != JsonTokenType.StartArray || !ReadOwnEvents(ref r)) return false;
                sawEvents = true;
            }
            else if (r.ValueTextEquals("batch"u8))
            {
                if (sawBatch || !r.Read() || r.TokenType != JsonTokenType.StartArray || !ReadSegmentBatch(ref r)) return false;
                sawBatch = true;
            }
            else if (r.ValueTextEquals("sentAt"u8))
            {
                if (!r.Read()) return false;
                if (r.TokenType != JsonTokenType.Null)
                {
                    if (Day(ref r) is not { } day) return false;
                    batchSentAt = day;
                }
            }
            else if (r.ValueTextEquals("type"u8) || r.ValueTextEquals("userId"u8) || r.ValueTextEquals("anonymousId"u8)
                     || r.ValueTextEquals("timestamp"u8) || r.ValueTextEquals("originalTimestamp"u8) || r.ValueTextEquals("properties"u8))
                return false; // a single Segment message: the full reader's case
            else if (r.ValueTextEquals("context"u8))
            {
                // The batch's own context names no account here; a context with a groupId is a single message's.
                if (!r.Read()) return false;
                if (r.TokenType == JsonTokenType.StartObject && ContainsProperty(r, "groupId"u8)) return false;
                r.Skip();
            }
            else
            {
                if (!r.Read()) return false;
                r.Skip();
            }
        }
        if (r.TokenType != JsonTokenType.EndObject || r.Read() || !(sawEvents || sawBatch)) return false;
        if (_undated.Count > 0)
        {
            var day = batchSentAt ?? Today();
            foreach (var i in _undated) _samples[i] = _samples[i] with { Date = day };
        }
        return true;
    }

    private static bool ContainsProperty(Utf8JsonReader copy, ReadOnlySpan<byte> name)
    {
        var depth = copy.CurrentDepth;
        while (copy.Read() && copy.CurrentDepth > depth)
            if (copy.TokenType == JsonTokenType.PropertyName && copy.CurrentDepth == depth + 1 && copy.ValueTextEquals(name)) return true;
        return false;
    }

    private DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(_clock.GetUtcNow(), _zone).DateTime);

    private bool ReadOwnEvents(ref Utf8JsonReader r)
    {
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            string? account = null;
            DateOnly? date = null, stamped = null;
            long? users = null, events = null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("account_external_id"u8))
                {
                    if (!r.Read() || (account = Text(ref r)) is null) return false;
                }
                else if (r.ValueTextEquals("date"u8))
                {
                    if (!r.Read() || r.TokenType != JsonTokenType.String || (date = Date(r.ValueSpan, r.ValueIsEscaped)) is null) return false;
                }
                else if (r.ValueTextEquals("timestamp"u8))
                {
                    if (!r.Read() || (stamped = Day(ref r)) is null) return false;
                }
                else if (r.ValueTextEquals("active_users"u8))
                {
                    if (!r.Read() || r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out var n) || n is < 0 or > int.MaxValue) return false;
                    users = n;
                }
                else if (r.ValueTextEquals("events"u8))
                {
                    if (!r.Read() || r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out var n) || n < 0) return false;
                    events = n;
                }
                else
                {
                    if (!r.Read()) return false;
                    r.Skip();
                }
            }
            if (r.TokenType != JsonTokenType.EndObject || account is null || (date ?? stamped) is not { } day || users is null && events is null) return false;
            _samples.Add(new UsageSample(account, day, (int)(users ?? 0), events ?? 0, null));
        }
        return r.TokenType == JsonTokenType.EndArray;
    }

    private bool ReadSegmentBatch(ref Utf8JsonReader r)
    {
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            var (track, skip) = (false, false);
            string? group = null, accountProperty = null, groupProperty = null, user = null, anonymous = null;
            DateOnly? timestamp = null, original = null, sent = null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("type"u8))
                {
                    if (!r.Read() || r.TokenType != JsonTokenType.String) return false;
                    if (r.ValueTextEquals("track"u8) || r.ValueTextEquals("page"u8) || r.ValueTextEquals("screen"u8)) track = true;
                    else if (r.ValueTextEquals("identify"u8) || r.ValueTextEquals("group"u8) || r.ValueTextEquals("alias"u8)) skip = true;
                    else return false;
                }
                else if (r.ValueTextEquals("userId"u8))
                {
                    if (!r.Read() || (user = Key(ref r)) is null) return false;
                }
                else if (r.ValueTextEquals("anonymousId"u8))
                {
                    if (!r.Read() || (anonymous = Key(ref r)) is null) return false;
                }
                else if (r.ValueTextEquals("timestamp"u8))
                {
                    if (!r.Read() || (timestamp = Day(ref r)) is null) return false;
                }
                else if (r.ValueTextEquals("originalTimestamp"u8))
                {
                    if (!r.Read() || (original = Day(ref r)) is null) return false;
                }
                else if (r.ValueTextEquals("sentAt"u8))
                {
                    if (!r.Read() || (sent = Day(ref r)) is null) return false;
                }
                else if (r.ValueTextEquals("context"u8))
                {
                    if (!r.Read() || r.TokenType != JsonTokenType.StartObject || !ReadIds(ref r, out group, out _)) return false;
                }
                else if (r.ValueTextEquals("properties"u8))
                {
                    if (!r.Read() || r.TokenType != JsonTokenType.StartObject || !ReadIds(ref r, out groupProperty, out accountProperty)) return false;
                }
                else
                {
                    if (!r.Read()) return false;
                    r.Skip();
                }
            }
            if (r.TokenType != JsonTokenType.EndObject) return false;
            if (skip)
            {
                _skipped++;
                continue;
            }
            var account = group ?? accountProperty ?? groupProperty;
            var who = user ?? anonymous;
            if (!track || account is null || who is null || who.Length > UsageDayUser.MaxUserKeyLength) return false;
            var day = timestamp ?? original ?? sent;
            if (day is null) _undated.Add(_samples.Count);
            _samples.Add(new UsageSample(account, day ?? default, 0, 1, who));
        }
        return r.TokenType == JsonTokenType.EndArray;
    }

    /// <summary>The <c>groupId</c> and <c>account_external_id</c> of a context or properties object, skipping the rest.</summary>
    private bool ReadIds(ref Utf8JsonReader r, out string? groupId, out string? accountId)
    {
        (groupId, accountId) = (null, null);
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("groupId"u8))
            {
                if (!r.Read() || (groupId = Key(ref r)) is null && r.TokenType != JsonTokenType.Null) return false;
            }
            else if (r.ValueTextEquals("account_external_id"u8))
            {
                if (!r.Read() || (accountId = Key(ref r)) is null && r.TokenType != JsonTokenType.Null) return false;
            }
            else
            {
                if (!r.Read()) return false;
                r.Skip();
            }
        }
        return r.TokenType == JsonTokenType.EndObject;
    }

    /// <summary>An account's external id: a text as it is (no spaces around it), one string per distinct value.</summary>
    private string? Text(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || r.ValueSpan.Length is 0 or > MaxKeyChars) return null;
        var bytes = r.ValueSpan;
        if (bytes[0] <= (byte)' ' || bytes[^1] <= (byte)' ') return null;
        return Intern(bytes);
    }

    /// <summary>An id Segment sends as a text or a number; an empty text is no id (as the full reader has it).</summary>
    private string? Key(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Number) return r.ValueSpan.Length <= MaxKeyChars ? Intern(r.ValueSpan) : null;
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || r.ValueSpan.Length is 0 or > MaxKeyChars) return null;
        var bytes = r.ValueSpan;
        if (bytes[0] <= (byte)' ' || bytes[^1] <= (byte)' ') return null;
        return Intern(bytes);
    }

    private string? Intern(ReadOnlySpan<byte> utf8)
    {
        Span<char> chars = stackalloc char[MaxKeyChars];
        if (!Encoding.UTF8.TryGetChars(utf8, chars, out var written)) return null;
        var text = chars[..written];
        if (_lookup.TryGetValue(text, out var known)) return known;
        var s = text.ToString();
        _texts[s] = s;
        return s;
    }

    /// <summary>yyyy-MM-dd from its bytes.</summary>
    private static DateOnly? Date(ReadOnlySpan<byte> b, bool escaped)
    {
        if (escaped || b.Length != 10 || b[4] != (byte)'-' || b[7] != (byte)'-') return null;
        if (!Utf8Parser.TryParse(b[..4], out int year, out var n1) || n1 != 4 || !Utf8Parser.TryParse(b.Slice(5, 2), out int month, out var n2) || n2 != 2
            || !Utf8Parser.TryParse(b.Slice(8, 2), out int day, out var n3) || n3 != 2) return null;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return null;
        return new DateOnly(year, month, day);
    }

    /// <summary>The organisation's day of an ISO 8601 time that states its offset (Z or ±hh:mm); others go to the full reader.</summary>
    private DateOnly? Day(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) return null;
        var b = r.ValueSpan;
        var offsetGiven = b.Length > 10 && (b[^1] == (byte)'Z' || b.Length > 16 && b[^3] == (byte)':' && b[^6] is (byte)'+' or (byte)'-');
        if (!offsetGiven || !r.TryGetDateTimeOffset(out var time)) return null;
        return _zone == TimeZoneInfo.Utc || _zone.Id == "UTC" || _zone.Id == "Etc/UTC"
            ? DateOnly.FromDateTime(time.UtcDateTime)
            : DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time, _zone).DateTime);
    }
}
