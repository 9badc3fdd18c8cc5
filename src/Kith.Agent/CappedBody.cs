using Kith.Fleet;

namespace Kith.Agent;

/// <summary>Reads a request body without ever holding more than a limit.</summary>
internal static class CappedBody
{
    /// <summary>The bytes, or null when there are more than <see cref="SignedFleetState.MaxBytes"/>.</summary>
    public static Task<byte[]?> ReadAsync(Stream body, CancellationToken cancellationToken) =>
        ReadAsync(body, SignedFleetState.MaxBytes, null, cancellationToken);

    /// <summary>The bytes, or null when there are more than <paramref name="maxBytes"/>.</summary>
    /// <param name="declaredLength">The Content-Length, when the client sent one: then one buffer of that size is read.</param>
    public static async Task<byte[]?> ReadAsync(Stream body, int maxBytes, long? declaredLength, CancellationToken cancellationToken)
    {
        if (declaredLength is { } length)
        {
            if (length > maxBytes)
            {
                return null;
            }

            var exact = new byte[length];
            await body.ReadExactlyAsync(exact, cancellationToken).ConfigureAwait(false);
            return exact;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[Math.Min(81920, maxBytes + 1)];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
