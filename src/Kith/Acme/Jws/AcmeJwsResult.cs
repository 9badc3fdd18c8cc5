using System.Diagnostics.CodeAnalysis;

namespace Kith.Acme.Jws;

/// <summary>Either a verified request or the problem that refused it; never both.</summary>
public sealed class AcmeJwsResult
{
    private AcmeJwsResult(AcmeJwsRequest? request, AcmeProblem? problem)
    {
        Request = request;
        Problem = problem;
    }

    public AcmeJwsRequest? Request { get; }

    public AcmeProblem? Problem { get; }

    [MemberNotNullWhen(true, nameof(Request))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool IsVerified => Request is not null;

    internal static AcmeJwsResult Verified(AcmeJwsRequest request) => new(request, null);

    internal static AcmeJwsResult Refused(AcmeProblem problem) => new(null, problem);
}
