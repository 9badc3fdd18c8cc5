using System.Net;
using DnsClient;
using DnsClient.Protocol;

namespace Kith.Doctor;

/// <summary>
/// Asks the fleet's own DNS servers (the agents of the machines with role dns, or <c>--dns-server</c>) for a
/// name's A and AAAA records, following CNAMEs in the answer.
/// </summary>
public static class FleetDnsCheck
{
    public static async Task<DnsLookup> LookUpAsync(string name, IReadOnlyList<IPEndPoint> servers, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(servers);
        if (servers.Count == 0)
        {
            return new DnsLookup(DnsOutcome.NotAsked, [], "no machine has role dns and no --dns-server was given");
        }

        var where = string.Join(", ", servers.Select(s => s.ToString()));
        var lookup = new LookupClient(new LookupClientOptions([.. servers])
        {
            UseCache = false,
            Timeout = timeout,
            Retries = 0,
            ThrowDnsErrors = false,
            ContinueOnDnsError = false,
            ContinueOnEmptyResponse = false,
            UseTcpFallback = true,
        });
        var addresses = new List<IPAddress>();
        foreach (var type in new[] { QueryType.A, QueryType.AAAA })
        {
            IDnsQueryResponse response;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                response = await lookup.QueryAsync(name, type, QueryClass.IN, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new DnsLookup(DnsOutcome.ServerFailed, [], $"{where} did not answer within {timeout.TotalSeconds:0.#} s");
            }
            catch (DnsResponseException e)
            {
                return new DnsLookup(DnsOutcome.ServerFailed, [], $"{where} did not answer ({e.Message})");
            }

            if (response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain)
            {
                return new DnsLookup(DnsOutcome.NoSuchName, [], $"{where} answers NXDOMAIN: the fleet zone has no record for {name}");
            }

            if (response.HasError)
            {
                return new DnsLookup(DnsOutcome.ServerFailed, [], $"{where} answered {response.ErrorMessage}");
            }

            addresses.AddRange(response.Answers.OfType<ARecord>().Select(r => r.Address));
            addresses.AddRange(response.Answers.OfType<AaaaRecord>().Select(r => r.Address));
        }

        if (addresses.Count == 0)
        {
            return new DnsLookup(DnsOutcome.NoAddress, [], $"{where} knows {name} but has no A or AAAA record for it");
        }

        return new DnsLookup(DnsOutcome.Found, addresses, $"{string.Join(", ", addresses)} (from {where})");
    }
}
