namespace CsmPayments.Import;

/// <summary>Collects the errors of one file: all are counted, the first <c>listLimit</c> are kept for the report.</summary>
internal sealed class ImportErrors(string file, int listLimit)
{
    private readonly List<ImportError> _listed = [];
    private int _lastLine = -1;

    public string File { get; } = file;
    public int Count { get; private set; }

    /// <summary>Lines with at least one error; errors arrive in line order, so a change of line is a new bad row.</summary>
    public int BadRows { get; private set; }

    public IReadOnlyList<ImportError> Listed => _listed;

    public void Add(int line, string column, string reason)
    {
        Count++;
        if (line != _lastLine)
        {
            BadRows++;
            _lastLine = line;
        }
        if (_listed.Count < listLimit) _listed.Add(new ImportError(File, line, column, reason));
    }
}
