namespace Kith.Storage;

/// <summary>An issuer's serial was already in the log; nothing of the batch was stored.</summary>
public sealed class DuplicateSerialException : KithException
{
    public DuplicateSerialException(string issuer, string serialHex)
        : base($"issuer '{issuer}' already used serial {serialHex}: draw a new serial and sign again")
    {
        Issuer = issuer;
        SerialHex = serialHex;
    }

    public DuplicateSerialException()
        : this("?", "?")
    {
    }

    public DuplicateSerialException(string message)
        : base(message)
    {
        Issuer = "?";
        SerialHex = "?";
    }

    public DuplicateSerialException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Issuer = "?";
        SerialHex = "?";
    }

    public string Issuer { get; } = "?";

    public string SerialHex { get; } = "?";
}
