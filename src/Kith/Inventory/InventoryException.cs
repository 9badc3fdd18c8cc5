namespace Kith.Inventory;

/// <summary>One problem found in kith.yaml, located precisely enough to fix it.</summary>
/// <param name="File">The inventory file as the user named it.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Field">The dotted path of the field, e.g. <c>services.navidrome.endpoints[0]</c>.</param>
/// <param name="Message">What is wrong and what to do.</param>
public sealed record InventoryError(string File, int Line, int Column, string Field, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Field}: {Message}";
}

/// <summary>The inventory could not be loaded; <see cref="Errors"/> lists every problem found.</summary>
public sealed class InventoryException : KithException
{
    public InventoryException(IReadOnlyList<InventoryError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<InventoryError> Errors { get; }
}
