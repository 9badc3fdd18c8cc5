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

            // A body shorter than declared is returned as it came (the ACME server refuses it as malformed).
            var exact = new byte[length];
            var received = await body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return received == exact.Length ? exact : exact[..received];
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
