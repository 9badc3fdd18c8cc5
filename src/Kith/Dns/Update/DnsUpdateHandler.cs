using System.Buffers.Binary;
using System.Net;
using Kith.Dns.Server;
using Microsoft.Extensions.Logging;

namespace Kith.Dns.Update;

/// <summary>
/// Answers RFC 2136 UPDATE messages (opcode 5) for ACME dns-01: only TXT records at
/// <c>_acme-challenge.&lt;name&gt;</c> inside a served zone, only when signed with a configured TSIG key
/// (RFC 8945), applied to <see cref="DynamicTxtRecords"/> all or nothing. Safe for concurrent use; every
/// applied change is logged with the key name, never the secret. docs/dns.md, "Dynamic updates".
/// </summary>
public sealed class DnsUpdateHandler
{
    /// <summary>The label that marks an ACME dns-01 challenge name (RFC 8555 section 8.4).</summary>
    public const string ChallengeLabel = "_acme-challenge";

    private readonly Dictionary<string, TsigKey> _keys;
    private readonly DynamicTxtRecords _records;
    private readonly Func<IReadOnlyList<FleetZone>> _zones;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <param name="keys">The keys allowed to sign updates; names must be unique.</param>
    /// <param name="records">Where accepted changes go.</param>
    /// <param name="zones">The zones served right now (asked on every update).</param>
    /// <param name="logger">Gets one line per applied change and per refusal.</param>
    /// <param name="time">The clock TSIG times are checked against; null means the system clock.</param>
    public DnsUpdateHandler(IReadOnlyList<TsigKey> keys, DynamicTxtRecords records, Func<IReadOnlyList<FleetZone>> zones, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        _keys = keys.ToDictionary(k => k.NormalizedName, StringComparer.Ordinal);
        _records = records ?? throw new ArgumentNullException(nameof(records));
        _zones = zones ?? throw new ArgumentNullException(nameof(zones));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The full answer to <paramref name="message"/> (TSIG-signed when the request was), or null to drop it.</summary>
    public byte[]? Handle(ReadOnlySpan<byte> message, IPEndPoint client)
    {
        const int headerLength = 12;
        if (message.Length < headerLength || (message[2] & 0x80) != 0)
        {
            return null; // too short to answer, or itself an answer
        }

        if (((BinaryPrimitives.ReadUInt16BigEndian(message[2..]) >> 11) & 0xF) != 5)
        {
            return UpdateAnswer.Build(message, UpdateRcode.NotImp);
        }

        TsigRecord? tsig;
        UpdateRequest request;
        try
        {
            tsig = TsigRecord.Find(message);
            request = UpdateRequest.Parse(message, tsig?.Offset ?? message.Length);
        }
        catch (FormatException e)
        {
            _logger.LogWarning("dns update from {Client} refused: malformed message ({Reason})", client, e.Message);
            return UpdateAnswer.Build(message, UpdateRcode.FormErr);
        }

        if (tsig is null)
        {
            _logger.LogWarning("dns update from {Client} refused: not signed with a TSIG key (see kith dns tsig-key)", client);
            return UpdateAnswer.Build(message, UpdateRcode.Refused);
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (!_keys.TryGetValue(tsig.KeyName, out var key) || key.NormalizedAlgorithm != tsig.Algorithm)
        {
            _logger.LogWarning("dns update from {Client} refused: unknown TSIG key {Key} ({Algorithm})", client, tsig.KeyName, tsig.Algorithm);
            return TsigSigner.Sign(UpdateAnswer.Build(message, UpdateRcode.NotAuth), tsig, null, TsigRecord.BadKey, now);
        }

        if (!TsigSigner.Verify(message, tsig, key))
        {
            _logger.LogWarning("dns update from {Client} refused: bad TSIG signature for key {Key} (a different secret?)", client, key.NormalizedName);
            return TsigSigner.Sign(UpdateAnswer.Build(message, UpdateRcode.NotAuth), tsig, null, TsigRecord.BadSig, now);
        }

        var fudge = Math.Min(tsig.Fudge, TsigPolicy.FudgeSeconds);
        if (Math.Abs(now - tsig.TimeSigned) > fudge)
        {
            _logger.LogWarning("dns update from {Client} refused: key {Key} signed at a time {Skew} s away from this server's clock", client, key.NormalizedName, tsig.TimeSigned - now);
            return TsigSigner.Sign(UpdateAnswer.Build(message, UpdateRcode.NotAuth), tsig, key, TsigRecord.BadTime, now);
        }

        var rcode = Apply(request, key, client);
        return TsigSigner.Sign(UpdateAnswer.Build(message, rcode), tsig, key, 0, now);
    }

    private UpdateRcode Apply(UpdateRequest request, TsigKey key, IPEndPoint client)
    {
        var zones = _zones();
        var zone = zones.FirstOrDefault(z => z.Apex == request.Zone);
        if (request.ZoneType != DnsType.Soa || request.ZoneClass != DnsType.ClassIn)
        {
            return Refuse(UpdateRcode.FormErr, client, key, $"the zone section must be {request.Zone} SOA IN");
        }

        if (zone is null)
        {
            return Refuse(UpdateRcode.NotAuth, client, key, $"zone {request.Zone} is not served here");
        }

        var rcode = UpdatePrerequisites.Check(request.Prerequisites, zone, _records);
        if (rcode != UpdateRcode.NoError)
        {
            return Refuse(rcode, client, key, "a prerequisite does not hold");
        }

        foreach (var update in request.Updates)
        {
            rcode = CheckUpdate(update, zone, zones);
            if (rcode != UpdateRcode.NoError)
            {
                var type = update.Type == DnsType.Txt ? "TXT" : $"type {update.Type}";
                return Refuse(rcode, client, key, $"{type} at {update.Name} (only TXT at {ChallengeLabel}.<name> in {zone.Apex} may change)");
            }
        }

        foreach (var update in request.Updates)
        {
            ApplyOne(update, key, client);
        }

        return UpdateRcode.NoError;
    }

    /// <summary>The prescan of RFC 2136 section 3.4.1 plus kith's policy: TXT at an ACME challenge name only.</summary>
    private static UpdateRcode CheckUpdate(UpdateEntry update, FleetZone zone, IReadOnlyList<FleetZone> zones)
    {
        if (!Kith.Inventory.DnsName.IsWithin(update.Name, zone.Apex))
        {
            return UpdateRcode.NotZone;
        }

        var wellFormed = update.Class switch
        {
            DnsType.ClassIn => update.Type != DnsType.Any,
            DnsType.ClassAny => update.Ttl == 0 && update.Data.Length == 0,
            DnsType.ClassNone => update.Ttl == 0 && update.Type != DnsType.Any,
            _ => false,
        };
        if (!wellFormed)
        {
            return UpdateRcode.FormErr;
        }

        // A name inside a nested zone belongs to that zone's updates.
        var owner = zones.Where(z => Kith.Inventory.DnsName.IsWithin(update.Name, z.Apex)).MaxBy(z => z.Apex.Length);
        if (owner?.Apex != zone.Apex)
        {
            return UpdateRcode.NotZone;
        }

        var typeAllowed = update.Type == DnsType.Txt || (update.Class == DnsType.ClassAny && update.Type == DnsType.Any);
        if (!typeAllowed || !update.Name.StartsWith(ChallengeLabel + ".", StringComparison.Ordinal))
        {
            return UpdateRcode.Refused;
        }

        try
        {
            _ = update.Text();
        }
        catch (FormatException)
        {
            return UpdateRcode.FormErr;
        }

        return UpdateRcode.NoError;
    }

    private void ApplyOne(UpdateEntry update, TsigKey key, IPEndPoint client)
    {
        switch (update.Class)
        {
            case DnsType.ClassIn:
                if (_records.Add(update.Name, update.Text(), (int)Math.Min(update.Ttl, int.MaxValue)))
                {
                    _logger.LogInformation("dns update by key {Key} from {Client}: add TXT {Name}", key.NormalizedName, client, update.Name);
                }
                else
                {
                    _logger.LogWarning("dns update by key {Key} from {Client}: TXT {Name} not added, {Max} dynamic records are already held", key.NormalizedName, client, update.Name, DynamicTxtRecords.MaxRecords);
                }

                break;
            case DnsType.ClassNone:
                _records.Remove(update.Name, update.Text());
                _logger.LogInformation("dns update by key {Key} from {Client}: delete one TXT at {Name}", key.NormalizedName, client, update.Name);
                break;
            default:
                _records.RemoveAll(update.Name);
                _logger.LogInformation("dns update by key {Key} from {Client}: delete all TXT at {Name}", key.NormalizedName, client, update.Name);
                break;
        }
    }

    private UpdateRcode Refuse(UpdateRcode rcode, IPEndPoint client, TsigKey key, string reason)
    {
        _logger.LogWarning("dns update by key {Key} from {Client} refused ({Rcode}): {Reason}", key.NormalizedName, client, rcode.ToString().ToUpperInvariant(), reason);
        return rcode;
    }
}
