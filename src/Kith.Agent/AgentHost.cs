using System.Net.Security;
using Kith.Enrollment;
using Kith.Fleet;
using Kith.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kith.Agent;

/// <summary>
/// The agent process (docs/agent.md): Kestrel over HTTPS with a certificate from this machine's own Host CA,
/// serving /healthz, /state (GET the last good signed fleet state, PUT a new one), /metrics and the ACME server under /acme/.
/// </summary>
public static partial class AgentHost
{
    /// <summary>Runs until <paramref name="cancellationToken"/> fires or the process gets SIGTERM/SIGINT.</summary>
    /// <exception cref="KithException">The Host CA or Root is missing, or the state file is damaged.</exception>
    public static async Task RunAsync(AgentOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var app = Build(options);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        await app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Everything checked and loaded, nothing listening yet.</summary>
    public static WebApplication Build(AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = new AgentFolder(options.Dir);
        var revocationListen = options.EffectiveRevocationListen;
        if (revocationListen.FirstOrDefault(options.Listen.Contains) is { } clash)
        {
            throw new KithException($"revocation_listen address {clash} is also an HTTPS listen address: give revocation_listen another port (default {AgentOptions.DefaultRevocationPort})");
        }

        var identity = AgentIdentity.Load(folder, options.Machine, options.Listen, options.CertificateLifetime, revocationUrls: revocationListen.Count > 0);
        var stateFile = new FleetStateFile(folder.FleetState, identity.Root, domain: identity.Domain);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        if (options.JsonLogs)
        {
            builder.Logging.AddJsonConsole(console =>
            {
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                console.UseUtcTimestamp = true;
            });
        }
        else
        {
            builder.Logging.AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-ddTHH:mm:ssZ ";
                console.UseUtcTimestamp = true;
            });
        }
        // Every request in the log is noise: kith logs what it decides (accepted, refused) itself.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.AddSingleton(identity);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // Per handshake, so a renewed certificate (and a newly installed Host CA in its chain) is served
            // without a restart; the context is built once per certificate.
            var https = new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = identity.ServerCertificateContext,
                    ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
                }),
            };
            foreach (var endpoint in options.Listen)
            {
                kestrel.Listen(endpoint, listen => listen.UseHttps(https));
            }

            // Plain HTTP: CRL and OCSP clients do not speak TLS (and must not need a certificate to check one).
            foreach (var endpoint in revocationListen)
            {
                kestrel.Listen(endpoint);
            }
        });
        // The agent's issuance log: endpoint certificates, ACME's, revocations, CRL numbers (docs/storage.md).
        var certificateLog = SqliteCertificateStore.OpenAsync(folder.Store).GetAwaiter().GetResult();
        var gate = new Lock();
        var metrics = new AgentMetrics();
        builder.Services.AddSingleton(services => new ReconcileLoop(
            options,
            folder,
            identity,
            () =>
            {
                lock (gate)
                {
                    return stateFile.Current;
                }
            },
            metrics,
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Kith.Agent.Reconcile"),
            certificateLog));
        builder.Services.AddHostedService(services => services.GetRequiredService<ReconcileLoop>());
        FleetState? HeldState()
        {
            lock (gate)
            {
                return stateFile.Current;
            }
        }

        builder.Services.AddSingleton(services => new AgentDns(options, identity.Machine, services.GetRequiredService<ILoggerFactory>().CreateLogger("Kith.Agent.Dns")));
        if (options.Resolver.Format is not null)
        {
            builder.Services.AddSingleton(services => new AgentResolver(
                options.Resolver,
                HeldState,
                services.GetRequiredService<ILoggerFactory>().CreateLogger("Kith.Agent.Resolver")));
            builder.Services.AddHostedService(services => services.GetRequiredService<AgentResolver>());
        }

        if (options.Proxy.Format is not null)
        {
            builder.Services.AddSingleton(services =>
            {
                var proxyLogger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Kith.Agent.Proxy");
                var proxy = new AgentProxy(
                    options.Proxy,
                    identity.Machine,
                    HeldState,
                    AgentProxyRendering.Plan(options, folder, identity.Machine),
                    AgentProxyRendering.Renderer(options.Proxy, proxyLogger),
                    metrics,
                    proxyLogger);
                services.GetRequiredService<ReconcileLoop>().CertificatesChanged = proxy.CertificatesChanged;
                return proxy;
            });
            builder.Services.AddHostedService(services => services.GetRequiredService<AgentProxy>());
        }

        builder.Services.AddSingleton(services => new StateAcceptor(
            stateFile, gate, metrics, services.GetRequiredService<ILoggerFactory>().CreateLogger("Kith.Agent"), OnAccepted(services, HeldState)));
        if (options.PeerSync)
        {
            builder.Services.AddHostedService(services => new PeerSync(
                options, identity, services.GetRequiredService<StateAcceptor>(), metrics, services.GetRequiredService<ILoggerFactory>().CreateLogger("Kith.Agent.PeerSync")));
        }

        AgentCrl? crl = null;
        if (revocationListen.Count > 0)
        {
            var crlService = new AgentCrl(identity, certificateLog, TimeProvider.System, NullLogger.Instance);
            crl = crlService;
            builder.Services.AddSingleton(services => crlService.UseLogger(services.GetRequiredService<ILoggerFactory>().CreateLogger("Kith.Agent.Crl")));
            builder.Services.AddHostedService(services => services.GetRequiredService<AgentCrl>());
        }

        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AgentJson.Default));

        var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Kith.Agent");
        identity.UseLogger(logger);
        if (crl is not null)
        {
            app.Services.GetRequiredService<AgentCrl>(); // gives it the host's logger before the first CRL is signed
            // The OCSP signer is logged first, so the first CRL already counts that change.
            var ocsp = AgentOcsp.Open(folder, identity, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Kith.Agent.Ocsp"));
            app.Lifetime.ApplicationStopped.Register(() => ocsp.DisposeAsync().AsTask().GetAwaiter().GetResult());
            crl.SignAsync(CancellationToken.None).GetAwaiter().GetResult();
            var acceptor = app.Services.GetRequiredService<StateAcceptor>();
            var revocation = new RevocationHttp(crl, identity.Machine, () => acceptor.Current, TimeProvider.System);
            // Every plain-HTTP request ends here: the HTTPS routes below are never reachable without TLS.
            app.Use((context, next) => context.Request.IsHttps ? next(context) : revocation.HandleAsync(context));
            revocation.Ocsp = ocsp.HandleAsync;
            crl.OnChange = ocsp.Invalidate;
        }

        var agentDns = app.Services.GetRequiredService<AgentDns>();
        app.Lifetime.ApplicationStarted.Register(() => agentDns.Apply(HeldState()));
        app.Lifetime.ApplicationStopping.Register(() => agentDns.DisposeAsync().AsTask().GetAwaiter().GetResult());
        var endpoints = new StateEndpoints(identity, metrics, app.Services.GetRequiredService<StateAcceptor>(), agentDns);
        app.MapGet("/healthz", endpoints.Health);
        app.MapGet("/state", endpoints.GetState);
        app.MapPut("/state", endpoints.PutStateAsync);
        app.MapPost("/state", endpoints.PutStateAsync);
        app.MapGet("/metrics", endpoints.Metrics);
        if (options.Acme.Enabled)
        {
            var acceptor = app.Services.GetRequiredService<StateAcceptor>();
            var acme = AgentAcme.Open(options, folder, identity, () => acceptor.Current, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Kith.Agent.Acme"));
            app.Map("/acme/{**path}", acme.HandleAsync);
            app.Lifetime.ApplicationStopped.Register(() => acme.DisposeAsync().AsTask().GetAwaiter().GetResult());
        }

        app.Lifetime.ApplicationStarted.Register(() => LogStarted(
            logger,
            identity.Machine,
            identity.Domain,
            string.Join(", ", options.Listen.Select(e => $"https://{e}")),
            stateFile.Current?.Version,
            revocationListen.Count == 0 ? "off" : string.Join(", ", revocationListen.Select(e => $"http://{e}"))));
        app.Lifetime.ApplicationStopped.Register(identity.Dispose);
        app.Lifetime.ApplicationStopped.Register(() => certificateLog.DisposeAsync().AsTask().GetAwaiter().GetResult());
        return app;
    }

    /// <summary>What a newly accepted state sets going: a reconcile pass, the DNS zones, the resolver snippet, the proxy config.</summary>
    private static Action OnAccepted(IServiceProvider services, Func<FleetState?> heldState)
    {
        var reconcile = services.GetRequiredService<ReconcileLoop>();
        var dns = services.GetRequiredService<AgentDns>();
        var resolver = services.GetService<AgentResolver>();
        var proxy = services.GetService<AgentProxy>();
        return () =>
        {
            reconcile.Wake();
            dns.Apply(heldState());
            resolver?.Wake();
            proxy?.Wake();
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "kith agent for {Machine}.{Domain} listening on {Addresses}; state version {Version}; CRLs on {RevocationAddresses}")]
    private static partial void LogStarted(ILogger logger, string machine, string domain, string addresses, long? version, string revocationAddresses);
}

/// <summary>The HTTP endpoints; every read and change of the held state goes through the <see cref="StateAcceptor"/> and its lock.</summary>
internal sealed class StateEndpoints(AgentIdentity identity, AgentMetrics metrics, StateAcceptor acceptor, AgentDns dns)
{
    /// <summary>Always 200 while the process answers (liveness); the verdict is in the body's <c>healthy</c>.</summary>
    public IResult Health([FromServices] ReconcileLoop reconcile, [FromServices] IServiceProvider services)
    {
        var health = AgentHealthReport.Build(identity.Machine, identity.Domain, identity.HostCa.NotAfter.ToUniversalTime(), acceptor.Current, reconcile.LastPass, DateTimeOffset.UtcNow, reconcile.HostCaRevoked) with { Dns = dns.Health() };
        if (services.GetService<AgentProxy>()?.Health() is { } proxy)
        {
            // A refused or unreloaded config leaves the proxy on an old one: not healthy, though it still serves.
            health = health with { Proxy = proxy, Healthy = health.Healthy && proxy.Ok };
        }

        return Results.Json(health, AgentJson.Default.AgentHealth);
    }

    /// <summary>GET /state, or GET /state?after=N: 204 (nothing to send) when the held version is not above N.</summary>
    public IResult GetState(HttpRequest request)
    {
        long? after = null;
        if (request.Query.TryGetValue("after", out var afterText))
        {
            if (!long.TryParse(afterText.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                return ProblemResult(StatusCodes.Status400BadRequest, "Bad query", "after must be a version number (a whole number, 0 or more)", null);
            }

            after = number;
        }

        var held = acceptor.ReadHeld(after, out var holdsAny);
        if (!holdsAny)
        {
            return ProblemResult(StatusCodes.Status404NotFound, "No fleet state yet", "this agent has not accepted a fleet state yet; publish one with kith publish", null);
        }

        return held is null ? Results.NoContent() : Results.Bytes(held, "application/json");
    }

    public async Task<IResult> PutStateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var remote = request.HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (request.ContentLength > SignedFleetState.MaxBytes)
        {
            return TooLarge(remote, request.ContentLength.Value);
        }

        var body = await CappedBody.ReadAsync(request.Body, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return TooLarge(remote, null);
        }

        switch (acceptor.Accept(body, remote))
        {
            case FleetStateVerdict.Accepted accepted:
                return Results.Json(new StateAccepted(accepted.State.Version), AgentJson.Default.StateAccepted);
            case FleetStateVerdict.Refused refused:
                var reason = AgentMetrics.ReasonLabel(refused.Reason);
                var status = refused.Reason switch
                {
                    FleetStateRefusal.NotNewer => StatusCodes.Status409Conflict,
                    FleetStateRefusal.Malformed => StatusCodes.Status400BadRequest,
                    _ => StatusCodes.Status422UnprocessableEntity,
                };
                return ProblemResult(status, "Fleet state refused", refused.Detail, reason);
            default:
                throw new InvalidOperationException("unknown verdict");
        }
    }

    public IResult Metrics()
    {
        return Results.Text(metrics.Render(acceptor.Version, identity.HostCa.NotAfter.ToUniversalTime()) + dns.RenderMetrics(), AgentMetrics.ContentType);
    }

    private IResult TooLarge(string remote, long? length)
    {
        acceptor.RefuseTooLarge(remote, length);
        return ProblemResult(StatusCodes.Status413PayloadTooLarge, "Fleet state too large", $"a fleet state is at most {SignedFleetState.MaxBytes} bytes", "too_large");
    }

    private static IResult ProblemResult(int status, string title, string detail, string? reason) =>
        Results.Json(
            new Problem(reason is null ? "about:blank" : $"urn:kith:state:{reason}", title, status, detail, reason),
            AgentJson.Default.Problem,
            contentType: "application/problem+json",
            statusCode: status);
}
