namespace CsmPayments.Cli;

/// <summary>A mistake the person running the command can fix; reported as one line, never as a stack trace.</summary>
public sealed class UserErrorException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
