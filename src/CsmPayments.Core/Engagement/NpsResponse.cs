namespace CsmPayments.Engagement;

/// <summary>A Net Promoter Score answer from a contact: 0–10, with an optional comment.</summary>
public sealed class NpsResponse
{
    private NpsResponse() { ContactEmail = ""; }

    public NpsResponse(long accountId, string contactEmail, DateOnly respondedOn, int score, string? comment)
    {
        AccountId = accountId;
        ContactEmail = Guard.Email(contactEmail);
        RespondedOn = respondedOn;
        Score = score is >= 0 and <= 10 ? score : throw new ArgumentOutOfRangeException(nameof(score), "an NPS score is 0 to 10");
        Comment = string.IsNullOrWhiteSpace(comment) ? null : comment.Trim();
    }

    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public string ContactEmail { get; private set; }
    public DateOnly RespondedOn { get; private set; }
    public int Score { get; private set; }
    public string? Comment { get; private set; }

    public bool IsPromoter => Score >= 9;
    public bool IsDetractor => Score <= 6;
}
