using System.Text.Json;
using CsmPayments.Storage;
using CsvHelper;
using Microsoft.EntityFrameworkCore;

namespace CsmPayments.Import;

/// <summary>
/// Imports one CSV file of DESIGN §4 into the database. The file is streamed: memory grows with the lookups an import
/// needs (accounts, users, invoices) and the keys seen in the file, not with the file. Rows upsert on their external
/// key, so importing a file twice changes nothing. A file with any bad row is rejected whole: all rows are read so that
/// every bad one is reported, and the transaction that holds the rows already written is rolled back.
/// </summary>
public sealed class Importer(Database database)
{
    /// <summary>How many errors an <see cref="ImportResult"/> lists; all are counted.</summary>
    public const int ListedErrorLimit = 1_000;

    private const int ProgressEvery = 10_000;

    // A record this long is an unclosed quote running away with the file; reading on would buffer all of it.
    private const int MaxRecordBytes = 1 << 20;

    /// <summary>Imports the file at <paramref name="path"/>; errors name it by its file name.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    public Task<ImportResult> ImportAsync(ImportKind kind, string path, IProgress<ImportProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ImportFileAsync(kind, path, progress, ct);
    }

    /// <summary>Imports CSV text from <paramref name="reader"/>, which stays open; errors name it <paramref name="fileName"/>.</summary>
    public Task<ImportResult> ImportAsync(ImportKind kind, TextReader reader, string fileName, IProgress<ImportProgress>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        return RunAsync(kind, options => CsvReader.Create(reader, options, leaveOpen: true), fileName, null, progress, ct);
    }

    private async Task<ImportResult> ImportFileAsync(ImportKind kind, string path, IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1,
            FileOptions.SequentialScan | FileOptions.Asynchronous);
        return await RunAsync(kind, options => CsvReader.Create(stream, options, leaveOpen: true), Path.GetFileName(path), stream.Length,
            progress, ct);
    }

    private async Task<ImportResult> RunAsync(ImportKind kind, Func<CsvReaderOptions, CsvReader> open, string fileName, long? totalBytes,
        IProgress<ImportProgress>? progress, CancellationToken ct)
    {
        var errors = new ImportErrors(fileName, ListedErrorLimit);
        long rowsRead = 0;
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            TrackLineNumbers = true,
            TrimWhitespace = true,
            TrimInsideQuotes = true,
            PoolStrings = true,
            MaxRecordSize = MaxRecordBytes,
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = record =>
            {
                rowsRead++;
                errors.Add((int)record.LineNumber, "row", Malformed(record.Reason));
            },
        };
        using var csv = open(options);

        await using var db = database.Open();
        var file = ImportFile.For(kind, db);
        await csv.ReadHeaderAsync(ct);
        var fields = Header(csv.Headers, file.Columns, errors);
        if (errors.Count > 0) return Result(kind, errors, 0, 0);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await file.LoadAsync(ct);
        var row = new ImportRow(new CsvRowValues(csv, fields), errors);
        long bytesRead = 0;

        IEnumerable<ImportRow> Rows()
        {
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (!TryRead(csv, errors)) break;
                rowsRead++;
                bytesRead = csv.ByteOffset;
                row.MoveTo((int)csv.LineNumber);
                if (csv.FieldCount != csv.Headers.Count)
                    row.Error("row", $"has {csv.FieldCount} values, but the header has {csv.Headers.Count} columns");
                else
                    yield return row;
                if (rowsRead % ProgressEvery == 0) progress?.Report(new ImportProgress(rowsRead, bytesRead, totalBytes));
            }
        }

        var changed = await file.WriteAsync(Rows(), errors, ct);
        progress?.Report(new ImportProgress(rowsRead, totalBytes ?? bytesRead, totalBytes));
        if (errors.Count > 0)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return Result(kind, errors, rowsRead, 0);
        }
        await transaction.CommitAsync(ct);
        return Result(kind, errors, rowsRead, changed);
    }

    /// <summary>
    /// Stores the records of a JSON body (one object, or a list of objects) by the same rules as the file of
    /// <paramref name="kind"/>: a property per column, named as the file's header names it. Any bad record rejects all
    /// of them. An error's <see cref="ImportError.Line"/> is the record's position in the list, from 0.
    /// </summary>
    /// <param name="alsoInTransaction">Runs on the same connection inside the import's transaction once the records are
    /// written without error and before the commit, with the number of rows changed: what must be stored with the change
    /// or not at all (an audit entry).</param>
    public async Task<ImportResult> ImportRecordsAsync(ImportKind kind, JsonElement body, CancellationToken ct = default,
        Func<CsmDbContext, long, CancellationToken, Task>? alsoInTransaction = null)
    {
        var records = body.ValueKind == JsonValueKind.Array ? body.EnumerateArray().ToArray() : [body];
        var errors = new ImportErrors("body", ListedErrorLimit);
        await using var db = database.Open();
        var file = ImportFile.For(kind, db);
        file.Keys = new RecordKeys(records);
        var values = new JsonRowValues();
        var row = new ImportRow(values, errors, record => $"in record [{record}]");

        IEnumerable<ImportRow> Rows()
        {
            for (var i = 0; i < records.Length; i++)
            {
                ct.ThrowIfCancellationRequested();
                row.MoveTo(i);
                values.Load(records[i], file.Columns, row);
                yield return row;
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await file.LoadAsync(ct);
        var changed = await file.WriteAsync(Rows(), errors, ct);
        if (errors.Count > 0)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            return Result(kind, errors, records.Length, 0);
        }
        if (alsoInTransaction is not null) await alsoInTransaction(db, changed, ct);
        await transaction.CommitAsync(ct);
        return Result(kind, errors, records.Length, changed);
    }

    /// <summary>Reads the next record; a record the reader cannot take is reported and ends the file.</summary>
    private static bool TryRead(CsvReader csv, ImportErrors errors)
    {
        try
        {
            return csv.Read();
        }
        catch (CsvFormatException e) when (e.LineNumber > 0)
        {
            // With malformed records skipped and reported, the reader throws only for a record past MaxRecordSize.
            errors.Add((int)e.LineNumber, "row", e.Message.Contains(nameof(CsvReaderOptions.MaxRecordSize), StringComparison.Ordinal)
                ? $"runs on for more than {MaxRecordBytes / (1 << 20)} MiB without ending, so the rest of the file could not be read; is a quote left open?"
                : $"cannot be read as CSV, so the rest of the file could not be read: {e.Message}");
            return false;
        }
    }

    /// <summary>Checks the header against the file's columns; returns each known column's field index.</summary>
    private static Dictionary<string, int> Header(IReadOnlyList<string> headers, IReadOnlyList<ImportColumn> columns, ImportErrors errors)
    {
        var fields = new Dictionary<string, int>(StringComparer.Ordinal);
        var expected = string.Join(", ", columns);
        if (headers.Count == 0)
        {
            errors.Add(1, "header", $"the file is empty; the first line must name the columns: {expected}");
            return fields;
        }
        for (var i = 0; i < headers.Count; i++)
        {
            var name = headers[i];
            var column = columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
            if (name.Length == 0)
                errors.Add(1, $"column {i + 1}", "has no name in the header");
            else if (column is null)
                errors.Add(1, name, name.Contains(';') || name.Contains('\t')
                    ? $"unknown column; the file must be comma separated, with the columns {expected}"
                    : $"unknown column; the columns are {expected}");
            else if (!fields.TryAdd(column.Name, i))
                errors.Add(1, name, "appears twice in the header");
        }
        foreach (var column in columns)
            if (!column.Optional && !fields.ContainsKey(column.Name))
                errors.Add(1, column.Name, "required column is missing from the header");
        return fields;
    }

    private static string Malformed(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "has a quote inside a value that does not start with one; put the whole value in quotes and write each quote inside it twice",
        CsvMalformedReason.TextAfterClosingQuote => "has text after the closing quote of a value; put the whole value in quotes and write each quote inside it twice",
        CsvMalformedReason.UnterminatedQuote => "opens a quote that is never closed; the rest of the file could not be read",
        CsvMalformedReason.LineBreakInQuotes => "has a line break inside a quoted value",
        _ => $"cannot be read as CSV ({reason})",
    };

    private static ImportResult Result(ImportKind kind, ImportErrors errors, long rowsRead, long rowsChanged) =>
        new(kind, errors.File, rowsRead, rowsChanged, errors.Listed.ToArray(), errors.Count, errors.BadRows);
}
