using System.Formats.Asn1;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Kith.Pki;

/// <summary>
/// The names a Host CA may certify (RFC 5280 §4.2.1.10), as the critical nameConstraints extension.
/// DNS subtrees follow RFC 5280 semantics: "music.home.arpa" permits that name and every name below it.
/// Every name type is constrained, because a verifier only checks the types the extension mentions:
/// <list type="bullet">
/// <item>dNSName: the permitted names;</item>
/// <item>iPAddress: each permitted address as a host route (/32, /128); an address family with no
/// permitted address is excluded whole. Excluding a family that has a permitted address would refuse
/// that address too, since exclusion wins over permission.</item>
/// <item>rfc822Name and uniformResourceIdentifier: only the host "invalid" is permitted and it is also
/// excluded, so no name of these types passes (RFC 6761 reserves .invalid; kith issues neither type).</item>
/// </list>
/// </summary>
public sealed record NameConstraints(IReadOnlyList<string> PermittedDnsNames, IReadOnlyList<IPAddress> PermittedAddresses)
{
    public const string ExtensionOid = "2.5.29.30";

    /// <summary>The reserved host that stands for "no name of this type".</summary>
    private const string NoHost = "invalid";

    private static readonly Asn1Tag Rfc822Name = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag DnsNameTag = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag UriTag = new(TagClass.ContextSpecific, 6);
    private static readonly Asn1Tag IpTag = new(TagClass.ContextSpecific, 7);

    /// <summary>True when <paramref name="dnsName"/> (lower-case ASCII) is inside a permitted subtree.</summary>
    public bool Permits(string dnsName)
    {
        foreach (var permitted in PermittedDnsNames)
        {
            if (IsWithinSubtree(dnsName, permitted))
            {
                return true;
            }
        }

        return false;
    }

    public bool Permits(IPAddress address)
    {
        foreach (var permitted in PermittedAddresses)
        {
            if (permitted.Equals(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>RFC 5280 dNSName matching: equal, or ends with "." + subtree (label-wise, case-insensitive).</summary>
    public static bool IsWithinSubtree(string dnsName, string subtree)
    {
        if (dnsName.Length == subtree.Length)
        {
            return string.Equals(dnsName, subtree, StringComparison.OrdinalIgnoreCase);
        }

        return dnsName.Length > subtree.Length
            && dnsName[dnsName.Length - subtree.Length - 1] == '.'
            && dnsName.EndsWith(subtree, StringComparison.OrdinalIgnoreCase);
    }

    public X509Extension ToExtension() => new(ExtensionOid, Encode(), critical: true);

    public byte[] Encode()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                foreach (var name in PermittedDnsNames)
                {
                    WriteSubtree(writer, DnsNameTag, name);
                }

                foreach (var address in PermittedAddresses)
                {
                    WriteSubtree(writer, address, hostRoute: true);
                }

                WriteSubtree(writer, Rfc822Name, NoHost);
                WriteSubtree(writer, UriTag, NoHost);
            }

            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 1)))
            {
                if (!PermittedAddresses.Any(a => a.AddressFamily == AddressFamily.InterNetwork))
                {
                    WriteSubtree(writer, IPAddress.Any, hostRoute: false);
                }

                if (!PermittedAddresses.Any(a => a.AddressFamily == AddressFamily.InterNetworkV6))
                {
                    WriteSubtree(writer, IPAddress.IPv6Any, hostRoute: false);
                }

                WriteSubtree(writer, Rfc822Name, NoHost);
                WriteSubtree(writer, UriTag, NoHost);
            }
        }

        return writer.Encode();
    }

    /// <summary>Reads the permitted DNS and IP subtrees of a certificate's nameConstraints, or null without one.</summary>
    public static NameConstraints? FromCertificate(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[ExtensionOid];
        return extension is null ? null : Decode(extension.RawData);
    }

    public static NameConstraints Decode(ReadOnlyMemory<byte> der)
    {
        var dnsNames = new List<string>();
        var addresses = new List<IPAddress>();
        var reader = new AsnReader(der, AsnEncodingRules.DER);
        var constraints = reader.ReadSequence();
        reader.ThrowIfNotEmpty();
        if (constraints.HasData && constraints.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0)))
        {
            var permitted = constraints.ReadSequence(new Asn1Tag(TagClass.ContextSpecific, 0));
            while (permitted.HasData)
            {
                var subtree = permitted.ReadSequence();
                var tag = subtree.PeekTag();
                if (tag.HasSameClassAndValue(DnsNameTag))
                {
                    dnsNames.Add(subtree.ReadCharacterString(UniversalTagNumber.IA5String, DnsNameTag));
                }
                else if (tag.HasSameClassAndValue(IpTag))
                {
                    var bytes = subtree.ReadOctetString(IpTag);
                    addresses.Add(new IPAddress(bytes.AsSpan(0, bytes.Length / 2)));
                }
            }
        }

        return new NameConstraints(dnsNames, addresses);
    }

    private static void WriteSubtree(AsnWriter writer, Asn1Tag tag, string name)
    {
        using (writer.PushSequence())
        {
            writer.WriteCharacterString(UniversalTagNumber.IA5String, name, tag);
        }
    }

    private static void WriteSubtree(AsnWriter writer, IPAddress address, bool hostRoute)
    {
        // iPAddress constraints are the address followed by a mask of the same length (RFC 5280 §4.2.1.10).
        var bytes = address.GetAddressBytes();
        var value = new byte[bytes.Length * 2];
        bytes.CopyTo(value, 0);
        if (hostRoute)
        {
            value.AsSpan(bytes.Length).Fill(0xFF);
        }

        using (writer.PushSequence())
        {
            writer.WriteOctetString(value, IpTag);
        }
    }
}
