namespace CsmPayments.Collections;

/// <summary>
/// The invoices still owed on the day, per account, as the daily cycle's health stage found them while it scored the
/// ledger it had already read: every invoice with a balance (<see cref="Cycle.AccountEvaluation.Owed"/>). The collection
/// stage reads only these invoices (and their payments and credit notes, again, inside its own locked transaction, so
/// the balances it acts on are current) instead of reading the whole ledger a second time. An invoice missing from it
/// is not collected that day, so an invoice created after the health stage read the ledger is added with <see cref="Add"/>
/// (the daily cycle issues the day's renewal invoices before it reads the ledger, so the health stage finds them).
/// Filled in account order, range by range; read by account range, possibly while later ranges are still added.
/// </summary>
public sealed class OwedInvoices
{
    private readonly List<(long AccountId, long InvoiceId)[]> _ranges = [];
    private readonly List<(long AccountId, long InvoiceId)> _late = [];

    /// <summary>Adds the candidates of one range of accounts, in ascending account order after every range added before.</summary>
    public void AddRange(IReadOnlyList<(long AccountId, long InvoiceId)> range)
    {
        if (range.Count == 0) return;
        lock (_ranges)
        {
            if (_ranges.Count > 0 && _ranges[^1][^1].AccountId > range[0].AccountId)
                throw new InvalidOperationException("ranges of owed invoices are added in account order");
            _ranges.Add([.. range]);
        }
    }

    /// <summary>Adds one invoice out of order (one issued after the health stage read the ledger).</summary>
    public void Add(long accountId, long invoiceId)
    {
        lock (_late) _late.Add((accountId, invoiceId));
    }

    /// <summary>The candidate invoice ids of the accounts with ids in [<paramref name="from"/>, <paramref name="to"/>].</summary>
    public long[] InRange(long from, long to)
    {
        var ids = new List<long>();
        (long AccountId, long InvoiceId)[][] ranges;
        lock (_ranges) ranges = [.. _ranges];
        foreach (var range in ranges)
        {
            if (range[^1].AccountId < from || range[0].AccountId > to) continue;
            var i = FirstAtOrAfter(range, from);
            for (; i < range.Length && range[i].AccountId <= to; i++) ids.Add(range[i].InvoiceId);
        }
        lock (_late)
            foreach (var (account, invoice) in _late)
                if (account >= from && account <= to) ids.Add(invoice);
        return [.. ids.Distinct()];
    }

    private static int FirstAtOrAfter((long AccountId, long InvoiceId)[] range, long account)
    {
        int low = 0, high = range.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (range[mid].AccountId < account) low = mid + 1;
            else high = mid;
        }
        return low;
    }
}
