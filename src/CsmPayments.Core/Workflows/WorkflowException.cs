namespace CsmPayments;

/// <summary>A workflow step that is not allowed in the entity's current state, or beyond its approver's limits.</summary>
public sealed class WorkflowException(string message) : InvalidOperationException(message);
