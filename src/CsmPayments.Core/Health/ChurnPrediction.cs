namespace CsmPayments.Health;

/// <summary>How well a score separates accounts that churned from those that stayed.</summary>
public static class ChurnPrediction
{
    /// <summary>
    /// The area under the ROC curve of the health score as a predictor of churn: the probability that an account that
    /// stayed scored higher than one that churned, ties counting half (the Mann–Whitney statistic). 0.5 is chance,
    /// 1 a perfect ranking; null without at least one of each.
    /// </summary>
    public static double? Auc(IEnumerable<(int Score, bool Churned)> observations)
    {
        var byScore = new SortedDictionary<int, (long Stayed, long Churned)>();
        long stayed = 0, churned = 0;
        foreach (var (score, didChurn) in observations)
        {
            var counts = byScore.GetValueOrDefault(score);
            byScore[score] = didChurn ? (counts.Stayed, counts.Churned + 1) : (counts.Stayed + 1, counts.Churned);
            if (didChurn) churned++;
            else stayed++;
        }
        if (stayed == 0 || churned == 0) return null;
        // Walk scores upwards: each account that stayed beats every churner with a lower score and ties those with its own.
        double wins = 0;
        long churnedBelow = 0;
        foreach (var (_, counts) in byScore)
        {
            wins += counts.Stayed * (churnedBelow + counts.Churned / 2.0);
            churnedBelow += counts.Churned;
        }
        return wins / ((double)stayed * churned);
    }
}
