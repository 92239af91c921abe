namespace CsmPayments.Import;

/// <summary>One thing wrong with a file: where (file, physical line, column) and why, in plain words.</summary>
public sealed record ImportError(string File, int Line, string Column, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Column}: {Reason}";
}

/// <summary>
/// What an import did. A file with any error is rejected whole: then nothing was stored, <see cref="RowsChanged"/> is 0
/// and <see cref="Errors"/> lists the first errors (at most <see cref="Importer.ListedErrorLimit"/>) of
/// <see cref="ErrorCount"/>.
/// </summary>
public sealed record ImportResult(
    ImportKind Kind, string File, long RowsRead, long RowsChanged, IReadOnlyList<ImportError> Errors, int ErrorCount, int BadRows)
{
    public bool Succeeded => ErrorCount == 0;

    /// <summary>Rows that matched a stored row with the same values, so were left as they were.</summary>
    public long RowsUnchanged => Succeeded ? RowsRead - RowsChanged : 0;
}

/// <summary>
/// How far an import has read: rows, and bytes of the input (counted as UTF-8) out of <see cref="TotalBytes"/> when the
/// input is a file of known length.
/// </summary>
public readonly record struct ImportProgress(long RowsRead, long BytesRead, long? TotalBytes);
