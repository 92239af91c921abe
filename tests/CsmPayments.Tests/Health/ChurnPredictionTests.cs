using CsmPayments.Health;

namespace CsmPayments.Tests.Health;

public sealed class ChurnPredictionTests
{
    [Fact]
    public void A_score_that_ranks_every_churner_below_every_stayer_has_an_auc_of_one() =>
        Assert.Equal(1.0, ChurnPrediction.Auc([(10, true), (20, true), (70, false), (90, false)]));

    [Fact]
    public void A_score_that_ranks_them_the_wrong_way_round_has_an_auc_of_zero() =>
        Assert.Equal(0.0, ChurnPrediction.Auc([(90, true), (10, false)]));

    [Fact]
    public void Auc_counts_the_pairs_ranked_right_and_ties_as_half()
    {
        // Stayers 40, 80, 50; churners 20, 60, 50. Pairs ranked right: 40>20, 80>20, 80>60, 80>50, 50>20; 40 vs 60 and 50 vs 60 wrong;
        // 40 vs 50 wrong; 50 vs 50 a tie. (5 + 0.5) / 9.
        var auc = ChurnPrediction.Auc([(40, false), (80, false), (50, false), (20, true), (60, true), (50, true)]);
        Assert.Equal(5.5 / 9, auc!.Value, 10);
    }

    [Fact]
    public void Without_both_outcomes_there_is_no_auc()
    {
        Assert.Null(ChurnPrediction.Auc([(40, false), (80, false)]));
        Assert.Null(ChurnPrediction.Auc([]));
    }
}
