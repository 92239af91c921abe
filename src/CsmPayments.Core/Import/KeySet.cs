using System.Runtime.InteropServices;

namespace CsmPayments.Import;

/// <summary>The keys seen so far in a file, each with the line it first appeared on, to report duplicates.</summary>
internal sealed class KeySet<TKey>(IEqualityComparer<TKey>? comparer = null) where TKey : notnull
{
    private readonly Dictionary<TKey, int> _firstLine = new(comparer);

    /// <summary>Records the key on <paramref name="line"/>; false when it was already seen, on <paramref name="firstLine"/>.</summary>
    public bool Add(TKey key, int line, out int firstLine)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_firstLine, key, out var seen);
        if (!seen) slot = line;
        firstLine = slot;
        return !seen;
    }
}
