using System.Net;
using Kith.Acme.Validation;

namespace Kith.IntegrationTests.Acme;

public sealed class ChallengeValidationQueueTests
{
    [Fact]
    public async Task Fifty_validations_never_run_more_than_the_limit_at_once()
    {
        // Each request holds its connection for 100 ms, so the server sees how many overlap.
        var current = 0;
        var peak = 0;
        var request = AcmeTestNetwork.Request();
        await using var server = new RawHttpServer(IPAddress.Loopback, 0, async (head, stream, token) =>
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref peak, now);
            await Task.Delay(100, token);
            Interlocked.Decrement(ref current);
            await RawHttpServer.Answer(200, request.KeyAuthorization)(head, stream, token);
        });
        using var queue = new ChallengeValidationQueue(maxConcurrent: 4);
        var validator = new Http01Validator(AcmeTestNetwork.Options(server.Port));

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => queue.ValidateAsync(validator, request, TestContext.Current.CancellationToken)));

        Assert.All(results, result => Assert.True(result.IsValid, result.Detail));
        Assert.Equal(50, server.Connections);
        Assert.Equal(4, peak);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
