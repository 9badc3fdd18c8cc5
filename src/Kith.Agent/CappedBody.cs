using Kith.Fleet;

namespace Kith.Agent;

/// <summary>Reads a fleet state from a stream without ever holding more than <see cref="SignedFleetState.MaxBytes"/>.</summary>
internal static class CappedBody
{
    /// <summary>The bytes, or null when there are more than <see cref="SignedFleetState.MaxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > SignedFleetState.MaxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
