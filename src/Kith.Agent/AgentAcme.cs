using System.Security.Cryptography.X509Certificates;
using Kith.Acme.Server;
using Kith.Acme.Store;
using Kith.Acme.Validation;
using Kith.Enrollment;
using Kith.Fleet;
using Kith.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Kith.Agent;

/// <summary>
/// The agent's ACME server (docs/acme.md): the store in &lt;dir&gt;/kith.db, the validators limited to this machine,
/// the Host CA as issuer (rebuilt when the agent installs a new one or the fleet's leaf validity changes), and the
/// HTTP glue between Kestrel and <see cref="AcmeServer"/>.
/// </summary>
internal sealed partial class AgentAcme : IAsyncDisposable
{
    private readonly AgentIdentity identity;
    private readonly AgentFolder folder;
    private readonly AgentOptions options;
    private readonly Func<FleetState?> state;
    private readonly IAcmeStore store;
    private readonly SqliteCertificateStore certificates;
    private readonly ChallengeValidationQueue queue = new();
    private readonly CancellationTokenSource stopping = new();
    private Task pruning = Task.CompletedTask;
    private readonly Lock authorityGate = new();
    private AcmeIssuingAuthority? authority;

    /// <summary>The agent's Host CA object <see cref="authority"/> was built from; the agent swaps in a new object when it installs one.</summary>
    private X509Certificate2? authorityHostCa;

    private AgentAcme(AgentOptions options, AgentFolder folder, AgentIdentity identity, Func<FleetState?> state, IAcmeStore store, SqliteCertificateStore certificates, ILogger logger)
    {
        this.options = options;
        this.folder = folder;
        this.identity = identity;
        this.state = state;
        this.store = store;
        this.certificates = certificates;
        var names = new FleetNameResolver(state, identity.Machine);
        var validation = new ChallengeValidationOptions
        {
            HttpPort = options.Acme.Http01Port,
            TlsAlpnPort = options.Acme.TlsAlpn01Port,
            DnsResolvers = options.Acme.DnsResolvers,
            ResolveAddresses = names.ResolveAsync,
            IsAllowedAddress = names.IsAllowed,
        };
        Server = new AcmeServer(
            new AcmeServerOptions
            {
                ExternalAccountRequired = options.Acme.ExternalAccountRequired,
                OrdersPerMinute = options.Acme.OrdersPerMinute,
                OrderBurst = options.Acme.OrdersPerMinute * 5,
                AutoValidChallenges = options.Acme.TestAutoValid,
            },
            store,
            certificates,
            CurrentAuthority,
            [new Http01Validator(validation), new Dns01Validator(validation), new TlsAlpn01Validator(validation)],
            queue,
            logger);
    }

    public AcmeServer Server { get; }

    public static AgentAcme Open(AgentOptions options, AgentFolder folder, AgentIdentity identity, Func<FleetState?> state, ILogger logger)
    {
        var store = AcmeStoreFactory.OpenAsync(folder.Store).GetAwaiter().GetResult();
        var certificates = SqliteCertificateStore.OpenAsync(folder.Store).GetAwaiter().GetResult();
        var acme = new AgentAcme(options, folder, identity, state, store, certificates, logger);
        acme.Server.ResumeAsync(CancellationToken.None).GetAwaiter().GetResult();
        acme.pruning = acme.PruneDailyAsync(logger);
        return acme;
    }

    /// <summary>Kestrel's handler for every method under /acme/.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        // An oversized body reaches the server as one byte over its limit, which it refuses as malformed.
        var body = await CappedBody.ReadAsync(request.Body, Server.MaxBodyBytes, request.ContentLength, context.RequestAborted).ConfigureAwait(false)
            ?? new byte[Server.MaxBodyBytes + 1];
        var url = $"https://{request.Host.ToUriComponent()}{request.PathBase.ToUriComponent()}{request.Path.ToUriComponent()}";
        var answer = await Server.HandleAsync(new AcmeHttpRequest(request.Method, url, request.ContentType, body), context.RequestAborted).ConfigureAwait(false);
        var response = context.Response;
        response.StatusCode = answer.Status;
        var headers = response.Headers;
        if (answer.ReplayNonce is not null)
        {
            headers["Replay-Nonce"] = answer.ReplayNonce;
        }

        headers.CacheControl = answer.NoStore ? "no-store" : headers.CacheControl;
        if (answer.Links.Count > 0)
        {
            headers.Link = answer.Links.ToArray();
        }

        if (answer.Location is not null)
        {
            headers.Location = answer.Location;
        }

        if (answer.RetryAfterSeconds is { } retryAfter)
        {
            headers.RetryAfter = retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (answer.Allow is not null)
        {
            headers.Allow = answer.Allow;
        }

        if (answer.ContentType is not null)
        {
            response.ContentType = answer.ContentType;
        }

        if (answer.Body.Length > 0 && !HttpMethods.IsHead(request.Method))
        {
            response.ContentLength = answer.Body.Length;
            await response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await pruning.ConfigureAwait(false);
        stopping.Dispose();
        Server.Dispose();
        queue.Dispose();
        authority?.Dispose();
        await store.DisposeAsync().ConfigureAwait(false);
        await certificates.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Old orders leave the store at start and then once a day; a failure is logged and tried the next day.</summary>
    private async Task PruneDailyAsync(ILogger logger)
    {
        using var daily = new PeriodicTimer(TimeSpan.FromDays(1));
        try
        {
            do
            {
                try
                {
                    await Server.PruneAsync(stopping.Token).ConfigureAwait(false);
                }
                catch (Microsoft.Data.Sqlite.SqliteException e)
                {
                    LogPruneFailed(logger, e.Message);
                }
            }
            while (await daily.WaitForNextTickAsync(stopping.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "acme: pruning old orders failed ({Reason}); trying again tomorrow")]
    private static partial void LogPruneFailed(ILogger logger, string reason);

    private AcmeIssuingAuthority CurrentAuthority()
    {
        var lifetime = options.LeafValidity ?? (state() is { } current ? LeafPolicy.Of(current) : LeafPolicy.Default).Validity;
        lock (authorityGate)
        {
            var hostCa = identity.HostCa;
            if (authority is null || !ReferenceEquals(authorityHostCa, hostCa) || authority.LeafLifetime != lifetime)
            {
                // The old one may still be signing on another thread: it is left to the collector, not disposed here.
                authority = new AcmeIssuingAuthority(identity.CreateAuthority(), lifetime);
                authorityHostCa = hostCa;
            }

            return authority;
        }
    }
}
