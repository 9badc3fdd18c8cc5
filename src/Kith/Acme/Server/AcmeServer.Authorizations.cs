using System.Text.Json;
using Kith.Acme.Jws;
using Kith.Acme.Store;
using Kith.Acme.Validation;
using Microsoft.Extensions.Logging;

namespace Kith.Acme.Server;

public sealed partial class AcmeServer
{
    private async Task<AcmeHttpResponse> AuthorizationAsync(AcmeJwsRequest jws, AcmeAccount account, string authorizationId, AcmeUrls urls, CancellationToken cancellationToken)
    {
        var authorization = await store.FindAuthorizationAsync(authorizationId, cancellationToken).ConfigureAwait(false);
        if (authorization is null || authorization.AccountId != account.Id)
        {
            return NotFound("authorization");
        }

        if (!jws.IsPostAsGet)
        {
            using var payload = ParsePayload(jws, out var payloadProblem);
            if (payload is null)
            {
                return Problem(payloadProblem!);
            }

            if (!payload.RootElement.TryGetProperty("status", out var status) || status.ValueKind != JsonValueKind.String || status.GetString() != "deactivated")
            {
                return Problem(new AcmeProblem(AcmeErrorType.Malformed, "an authorization can only be changed to {\"status\": \"deactivated\"}"));
            }

            if (!await store.DeactivateAuthorizationAsync(authorization.Id, cancellationToken).ConfigureAwait(false))
            {
                return Problem(new AcmeProblem(AcmeErrorType.Malformed, $"the authorization is {AcmeResources.Name(authorization.Status)}; only a pending or valid one can be deactivated"));
            }

            authorization = await store.FindAuthorizationAsync(authorization.Id, cancellationToken).ConfigureAwait(false) ?? authorization;
        }

        var current = EffectiveStatus(authorization);
        var processing = authorization.Challenges.Any(c => c.Status == AcmeChallengeStatus.Processing);
        return Json(200, AcmeResources.Authorization(authorization, current, urls), retryAfterSeconds: processing ? options.PollRetryAfterSeconds : null);
    }

    private async Task<AcmeHttpResponse> ChallengeAsync(AcmeJwsRequest jws, AcmeAccount account, string challengeId, AcmeUrls urls, CancellationToken cancellationToken)
    {
        var found = await store.FindChallengeAsync(challengeId, cancellationToken).ConfigureAwait(false);
        if (found is not { } pair || pair.Authorization.AccountId != account.Id)
        {
            return NotFound("challenge");
        }

        var (challenge, authorization) = pair;
        if (!jws.IsPostAsGet)
        {
            // RFC 8555 §7.5.1: the client says it is ready with an empty object; any object is accepted.
            using var payload = ParsePayload(jws, out var payloadProblem);
            if (payload is null)
            {
                return Problem(payloadProblem!);
            }

            if (challenge.Status == AcmeChallengeStatus.Pending && EffectiveStatus(authorization) == AcmeAuthorizationStatus.Pending)
            {
                if (options.AutoValidChallenges)
                {
                    // Tests and benchmarks: pending → valid, with the authorization and order, in one write.
                    var now = time.GetUtcNow();
                    if (await store.ValidateChallengeAtOnceAsync(challenge.Id, now, cancellationToken).ConfigureAwait(false))
                    {
                        challenge = challenge with { Status = AcmeChallengeStatus.Valid, Validated = now };
                    }
                }
                else if (await store.TryStartChallengeAsync(challenge.Id, cancellationToken).ConfigureAwait(false))
                {
                    StartValidation(challenge, authorization, challenge.Token + "." + account.Thumbprint);
                    challenge = challenge with { Status = AcmeChallengeStatus.Processing };
                }
            }
        }

        var response = Json(200, AcmeResources.Challenge(challenge, urls), retryAfterSeconds: challenge.Status == AcmeChallengeStatus.Processing ? options.PollRetryAfterSeconds : null);
        response.Links.Add($"<{urls.Authorization(authorization.Id)}>;rel=\"up\"");
        return response;
    }

    /// <summary>
    /// After a restart: finalize calls cut short leave their orders ready again, and validations cut short run again.
    /// </summary>
    public async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var orders = await store.ResetProcessingOrdersAsync(cancellationToken).ConfigureAwait(false);
        var resumed = 0;
        foreach (var id in await store.ListProcessingChallengeIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await store.FindChallengeAsync(id, cancellationToken).ConfigureAwait(false) is { } pair
                && await store.FindAccountAsync(pair.Authorization.AccountId, cancellationToken).ConfigureAwait(false) is { } account)
            {
                if (options.AutoValidChallenges)
                {
                    await store.CompleteChallengeAsync(id, valid: true, null, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    StartValidation(pair.Challenge, pair.Authorization, pair.Challenge.Token + "." + account.Thumbprint);
                }

                resumed++;
            }
        }

        if (orders + resumed > 0)
        {
            LogResumed(logger, orders, resumed);
        }
    }

    /// <summary>Deletes orders done with for longer than <see cref="AcmeServerOptions.OrderRetention"/>; the certificates stay in the issuance log.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var pruned = await store.PruneOrdersAsync(time.GetUtcNow() - options.OrderRetention, cancellationToken).ConfigureAwait(false);
        if (pruned > 0)
        {
            LogPruned(logger, pruned, options.OrderRetention.TotalDays);
        }

        return pruned;
    }

    /// <summary>Validates in the background, bounded by the queue; the client polls the challenge or authorization.</summary>
    private void StartValidation(AcmeChallenge challenge, AcmeAuthorization authorization, string keyAuthorization)
    {
        if (!validators.TryGetValue(challenge.Type, out var validator))
        {
            _ = store.CompleteChallengeAsync(challenge.Id, valid: false, new AcmeStoredError(AcmeErrorType.ServerInternal, $"no validator for {challenge.Type}"), time.GetUtcNow());
            return;
        }

        var token = stopping.Token;
        _ = Task.Run(
            async () =>
            {
                try
                {
                    var request = new ChallengeRequest(authorization.Identifier.Value, challenge.Token, keyAuthorization);
                    var result = await validationQueue.ValidateAsync(validator, request, token).ConfigureAwait(false);
                    var error = result.IsValid ? null : new AcmeStoredError(result.ProblemType ?? AcmeErrorType.IncorrectResponse, result.Detail);
                    await store.CompleteChallengeAsync(challenge.Id, result.IsValid, error, time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                    if (result.IsValid)
                    {
                        LogValidated(logger, challenge.Type, authorization.Identifier.Value, authorization.AccountId);
                    }
                    else
                    {
                        LogValidationFailed(logger, challenge.Type, authorization.Identifier.Value, authorization.AccountId, result.Detail);
                    }
                }
                catch (OperationCanceledException) when (token.IsCancellationRequested)
                {
                    // Shutting down: the challenge stays processing and is retried when the agent starts again.
                }
                catch (Exception e)
                {
                    LogInternalError(logger, "validate", challenge.Type, e);
                    await store.CompleteChallengeAsync(challenge.Id, valid: false, new AcmeStoredError(AcmeErrorType.ServerInternal, "validation failed inside kith; create a new order"), time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                }
            },
            CancellationToken.None);
    }

    private AcmeAuthorizationStatus EffectiveStatus(AcmeAuthorization authorization) =>
        authorization.Status == AcmeAuthorizationStatus.Pending && authorization.Expires <= time.GetUtcNow()
            ? AcmeAuthorizationStatus.Expired
            : authorization.Status;

    [LoggerMessage(Level = LogLevel.Information, Message = "acme: pruned {Orders} order(s) done with for over {Days} days")]
    private static partial void LogPruned(ILogger logger, int orders, double days);

    [LoggerMessage(Level = LogLevel.Information, Message = "acme: after the restart, {Orders} interrupted finalize(s) back to ready, {Challenges} validation(s) started again")]
    private static partial void LogResumed(ILogger logger, int orders, int challenges);

    [LoggerMessage(Level = LogLevel.Information, Message = "acme: {Type} for {Identifier} valid (account {Account})")]
    private static partial void LogValidated(ILogger logger, string type, string identifier, string account);

    [LoggerMessage(Level = LogLevel.Information, Message = "acme: {Type} for {Identifier} invalid (account {Account}): {Detail}")]
    private static partial void LogValidationFailed(ILogger logger, string type, string identifier, string account, string detail);
}
