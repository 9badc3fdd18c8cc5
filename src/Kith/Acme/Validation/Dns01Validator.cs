using DnsClient;

namespace Kith.Acme.Validation;

/// <summary>
/// dns-01 (RFC 8555 §8.4): asks the configured resolvers for the TXT records of
/// _acme-challenge.name (CNAMEs are followed by the resolver) and accepts when any record equals
/// base64url(SHA-256(key authorization)).
/// </summary>
public sealed class Dns01Validator(ChallengeValidationOptions options) : IChallengeValidator
{
    public string ChallengeType => "dns-01";

    public async Task<ChallengeResult> ValidateAsync(ChallengeRequest request, CancellationToken cancellationToken)
    {
        if (options.DnsResolvers.Count == 0)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Dns, "no DNS resolvers are configured for dns-01 validation");
        }

        var name = "_acme-challenge." + request.Identifier.TrimEnd('.');
        var expected = KeyAuthorizationDigest.Base64UrlSha256(request.KeyAuthorization);
        var lookup = new LookupClient(new LookupClientOptions([.. options.DnsResolvers])
        {
            UseCache = false,
            Timeout = options.TotalTimeout,
            Retries = 0,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            UseTcpFallback = true,
        });

        IDnsQueryResponse response;
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        total.CancelAfter(options.TotalTimeout);
        try
        {
            response = await lookup.QueryAsync(name, QueryType.TXT, QueryClass.IN, total.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Dns, $"TXT lookup of {name} did not finish within {options.TotalTimeout.TotalSeconds:0.#} s");
        }
        catch (DnsResponseException e)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Dns, $"TXT lookup of {name} failed: {e.Message}");
        }

        if (response.HasError)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Dns, $"TXT lookup of {name} answered {response.ErrorMessage}");
        }

        // A TXT record may be split into several strings; RFC 8555 compares their concatenation.
        var values = response.Answers.TxtRecords().Select(record => string.Concat(record.Text)).ToArray();
        if (values.Contains(expected, StringComparer.Ordinal))
        {
            return ChallengeResult.Valid($"{name} has the TXT record {expected}");
        }

        if (values.Length == 0)
        {
            return ChallengeResult.Invalid(AcmeErrorType.Unauthorized, $"{name} has no TXT record");
        }

        var seen = string.Join(", ", values.Take(5).Select(value => $"\"{value}\""));
        return ChallengeResult.Invalid(AcmeErrorType.IncorrectResponse, $"{name} has TXT {seen}, none equal to the expected \"{expected}\"");
    }
}
