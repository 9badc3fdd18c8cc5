using System.Text.Json;

namespace Kith.Acme;

/// <summary>
/// The directory resource (RFC 8555 §7.1.1) of kith's ACME server: the URL of every other resource,
/// all under one base URL, plus renewalInfo (RFC 9773 §4). The paths are fixed here so that the server
/// routes exactly what the directory announces.
/// </summary>
public sealed class AcmeDirectory
{
    public const string DirectoryPath = "directory";
    public const string NewNoncePath = "new-nonce";
    public const string NewAccountPath = "new-account";
    public const string NewOrderPath = "new-order";
    public const string RevokeCertPath = "revoke-cert";
    public const string KeyChangePath = "key-change";
    public const string RenewalInfoPath = "renewal-info";

    /// <param name="baseUrl">Absolute https URL the resources hang under, e.g. https://storage.home.arpa:14000/acme/.</param>
    /// <param name="caaIdentities">Domain names a CAA record may name to authorize this CA (meta.caaIdentities).</param>
    /// <param name="website">A page about this CA for humans, or null.</param>
    /// <param name="externalAccountRequired">Whether newAccount needs external account binding.</param>
    public AcmeDirectory(Uri baseUrl, IReadOnlyList<string> caaIdentities, Uri? website = null, bool externalAccountRequired = false)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        ArgumentNullException.ThrowIfNull(caaIdentities);
        if (!baseUrl.IsAbsoluteUri || baseUrl.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment))
        {
            throw new ArgumentException($"ACME base URL '{baseUrl}' must be an absolute https URL without query or fragment (RFC 8555 §6.1)", nameof(baseUrl));
        }

        // A trailing slash makes relative resolution keep the last path segment.
        BaseUrl = baseUrl.AbsolutePath.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        CaaIdentities = caaIdentities;
        Website = website;
        ExternalAccountRequired = externalAccountRequired;
    }

    public Uri BaseUrl { get; }

    public IReadOnlyList<string> CaaIdentities { get; }

    public Uri? Website { get; }

    public bool ExternalAccountRequired { get; }

    /// <summary>The absolute URL of the resource at <paramref name="path"/> (one of the *Path constants).</summary>
    public Uri UrlOf(string path) => new(BaseUrl, path);

    /// <summary>The directory document as UTF-8 JSON.</summary>
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(
        new DirectoryDocument(
            Url(NewNoncePath),
            Url(NewAccountPath),
            Url(NewOrderPath),
            Url(RevokeCertPath),
            Url(KeyChangePath),
            Url(RenewalInfoPath),
            new DirectoryMetaDocument(Website?.AbsoluteUri, CaaIdentities, ExternalAccountRequired)),
        AcmeJson.Default.DirectoryDocument);

    private string Url(string path) => UrlOf(path).AbsoluteUri;
}
