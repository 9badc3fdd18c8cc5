using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Kith.Acme.Server;

namespace Kith.Tests.Acme.Server;

/// <summary>
/// An ACME client that talks to <see cref="AcmeServer"/> in process, signing every request as a real client does
/// (flattened JWS, nonce from the last Replay-Nonce, kid once it has an account).
/// </summary>
internal sealed class AcmeTestClient(AcmeServer server, TestAcmeKey key, string baseUrl = AcmeTestClient.DefaultBase)
{
    public const string DefaultBase = "https://music.home.arpa:8555/acme/";

    private string? nonce;

    public TestAcmeKey Key { get; private set; } = key;

    public string? AccountUrl { get; set; }

    public string Base => baseUrl;

    public string Url(string path) => baseUrl + path;

    public async Task<AcmeHttpResponse> GetAsync(string url, string method = "GET")
    {
        var response = await server.HandleAsync(new AcmeHttpRequest(method, url, null, default), CancellationToken.None);
        nonce = response.ReplayNonce ?? nonce;
        return response;
    }

    public async Task<string> FreshNonceAsync() => (await GetAsync(Url("new-nonce"), "HEAD")).ReplayNonce!;

    /// <summary>The body a client would send: payload "" is POST-as-GET.</summary>
    public async Task<byte[]> SignAsync(string url, string payload, bool? useJwk = null, string? withNonce = null)
    {
        var jwk = useJwk ?? AccountUrl is null;
        var keyMember = jwk ? $"\"jwk\":{Key.Jwk}" : $"\"kid\":\"{AccountUrl}\"";
        var header = $$"""{"alg":"{{Key.Alg}}",{{keyMember}},"nonce":"{{withNonce ?? nonce ?? await FreshNonceAsync()}}","url":"{{url}}"}""";
        nonce = null;
        return TestJws.Body(Key, header, payload);
    }

    public async Task<AcmeHttpResponse> PostAsync(string url, string payload, bool? useJwk = null, string contentType = AcmeServer.JoseMediaType)
    {
        var body = await SignAsync(url, payload, useJwk);
        return await SendAsync(url, body, contentType);
    }

    public async Task<AcmeHttpResponse> SendAsync(string url, byte[] body, string contentType = AcmeServer.JoseMediaType)
    {
        var response = await server.HandleAsync(new AcmeHttpRequest("POST", url, contentType, body), CancellationToken.None);
        nonce = response.ReplayNonce ?? nonce;
        return response;
    }

    public async Task<AcmeHttpResponse> NewAccountAsync(string payload = """{"termsOfServiceAgreed":true,"contact":["mailto:ops@home.arpa"]}""")
    {
        var response = await PostAsync(Url("new-account"), payload, useJwk: true);
        if (response.Status is 200 or 201)
        {
            AccountUrl = response.Location;
        }

        return response;
    }

    public Task<AcmeHttpResponse> NewOrderAsync(params string[] names) =>
        PostAsync(Url("new-order"), "{\"identifiers\":[" + string.Join(",", names.Select(n => $$"""{"type":"{{(System.Net.IPAddress.TryParse(n, out _) ? "ip" : "dns")}}","value":"{{n}}"}""")) + "]}");

    /// <summary>newOrder, every authorization's http-01 answered, finalize with a fresh P-256 key; returns the order URL and its final JSON.</summary>
    public async Task<(string OrderUrl, JsonElement Order, ECDsa CertificateKey)> IssueAsync(params string[] names)
    {
        var (orderUrl, order) = await ReadyOrderAsync(names);
        var certificateKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var finalized = await FinalizeAsync(order.GetProperty("finalize").GetString()!, Csr(certificateKey, names));
        Assert.Equal(200, finalized.Status);
        return (orderUrl, Json(finalized), certificateKey);
    }

    /// <summary>newOrder and every authorization made valid through its http-01 (or only) challenge.</summary>
    public async Task<(string OrderUrl, JsonElement Order)> ReadyOrderAsync(params string[] names)
    {
        var created = await NewOrderAsync(names);
        Assert.True(created.Status == 201, Text(created));
        var order = Json(created);
        foreach (var authorizationUrl in order.GetProperty("authorizations").EnumerateArray())
        {
            var authorization = Json(await PostAsync(authorizationUrl.GetString()!, ""));
            var challenge = authorization.GetProperty("challenges").EnumerateArray().First();
            var answered = await PostAsync(challenge.GetProperty("url").GetString()!, "{}");
            Assert.True(answered.Status == 200, Text(answered));
        }

        var ready = await PostAsync(created.Location!, "");
        return (created.Location!, Json(ready));
    }

    public Task<AcmeHttpResponse> FinalizeAsync(string finalizeUrl, byte[] csr) =>
        PostAsync(finalizeUrl, $$"""{"csr":"{{TestAcmeKey.B64(csr)}}"}""");

    public void UseKey(TestAcmeKey newKey) => Key = newKey;

    public static byte[] Csr(AsymmetricAlgorithm key, params string[] names)
    {
        var request = key switch
        {
            ECDsa ecdsa => new CertificateRequest($"CN={names[0]}", ecdsa, HashAlgorithmName.SHA256),
            RSA rsa => new CertificateRequest($"CN={names[0]}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
            _ => throw new ArgumentException("unsupported key"),
        };
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (System.Net.IPAddress.TryParse(name, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequest();
    }

    public static JsonElement Json(AcmeHttpResponse response) => JsonDocument.Parse(response.Body).RootElement.Clone();

    public static string Text(AcmeHttpResponse response) => $"{response.Status} {Encoding.UTF8.GetString(response.Body)}";

    /// <summary>The problem type's short name ("badNonce"), or null when the body is not a problem.</summary>
    public static string? ProblemType(AcmeHttpResponse response) =>
        response.ContentType == "application/problem+json"
            ? Json(response).GetProperty("type").GetString()!["urn:ietf:params:acme:error:".Length..]
            : null;
}
