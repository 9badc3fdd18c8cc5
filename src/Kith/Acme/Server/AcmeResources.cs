using System.Buffers;
using System.Text.Json;
using Kith.Acme.Store;

namespace Kith.Acme.Server;

/// <summary>The JSON of accounts, orders, authorizations and challenges (RFC 8555 §7.1.2–7.1.6), written directly.</summary>
internal static class AcmeResources
{
    public static string Name(AcmeAccountStatus status) => status switch
    {
        AcmeAccountStatus.Valid => "valid",
        AcmeAccountStatus.Deactivated => "deactivated",
        _ => "revoked",
    };

    public static string Name(AcmeOrderStatus status) => status switch
    {
        AcmeOrderStatus.Pending => "pending",
        AcmeOrderStatus.Ready => "ready",
        AcmeOrderStatus.Processing => "processing",
        AcmeOrderStatus.Valid => "valid",
        _ => "invalid",
    };

    public static string Name(AcmeAuthorizationStatus status) => status switch
    {
        AcmeAuthorizationStatus.Pending => "pending",
        AcmeAuthorizationStatus.Valid => "valid",
        AcmeAuthorizationStatus.Invalid => "invalid",
        AcmeAuthorizationStatus.Deactivated => "deactivated",
        AcmeAuthorizationStatus.Expired => "expired",
        _ => "revoked",
    };

    public static string Name(AcmeChallengeStatus status) => status switch
    {
        AcmeChallengeStatus.Pending => "pending",
        AcmeChallengeStatus.Processing => "processing",
        AcmeChallengeStatus.Valid => "valid",
        _ => "invalid",
    };

    public static byte[] Account(AcmeAccount account, AcmeUrls urls) => Write(writer =>
    {
        writer.WriteString("status", Name(account.Status));
        writer.WriteStartArray("contact");
        foreach (var contact in account.Contact)
        {
            writer.WriteStringValue(contact);
        }

        writer.WriteEndArray();
        writer.WriteString("orders", urls.AccountOrders(account.Id));
        writer.WriteString("createdAt", AcmeTime.Format(account.CreatedAt));
    });

    public static byte[] OrderList(IReadOnlyList<string> orderIds, AcmeUrls urls) => Write(writer =>
    {
        writer.WriteStartArray("orders");
        foreach (var id in orderIds)
        {
            writer.WriteStringValue(urls.Order(id));
        }

        writer.WriteEndArray();
    });

    public static byte[] Order(AcmeOrder order, AcmeOrderStatus status, AcmeUrls urls) => Write(writer =>
    {
        writer.WriteString("status", Name(status));
        writer.WriteString("expires", AcmeTime.Format(order.Expires));
        writer.WriteStartArray("identifiers");
        foreach (var identifier in order.Identifiers)
        {
            writer.WriteStartObject();
            writer.WriteString("type", identifier.Type);
            writer.WriteString("value", identifier.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartArray("authorizations");
        foreach (var id in order.AuthorizationIds)
        {
            writer.WriteStringValue(urls.Authorization(id));
        }

        writer.WriteEndArray();
        writer.WriteString("finalize", urls.Finalize(order.Id));
        if (order.CertificateSerial is not null && status == AcmeOrderStatus.Valid)
        {
            writer.WriteString("certificate", urls.Certificate(order.Id));
        }

        if (order.Replaces is not null)
        {
            writer.WriteString("replaces", order.Replaces);
        }

        if (order.Error is not null)
        {
            writer.WritePropertyName("error");
            WriteProblem(writer, order.Error);
        }
    });

    public static byte[] Authorization(AcmeAuthorization authorization, AcmeAuthorizationStatus status, AcmeUrls urls) => Write(writer =>
    {
        writer.WriteStartObject("identifier");
        writer.WriteString("type", authorization.Identifier.Type);
        writer.WriteString("value", authorization.Identifier.Value);
        writer.WriteEndObject();
        writer.WriteString("status", Name(status));
        writer.WriteString("expires", AcmeTime.Format(authorization.Expires));
        writer.WriteStartArray("challenges");
        foreach (var challenge in authorization.Challenges)
        {
            writer.WriteStartObject();
            WriteChallengeMembers(writer, challenge, urls);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (authorization.Wildcard)
        {
            writer.WriteBoolean("wildcard", true);
        }

    });

    public static byte[] Challenge(AcmeChallenge challenge, AcmeUrls urls) => Write(writer => WriteChallengeMembers(writer, challenge, urls));

    private static void WriteChallengeMembers(Utf8JsonWriter writer, AcmeChallenge challenge, AcmeUrls urls)
    {
        writer.WriteString("type", challenge.Type);
        writer.WriteString("url", urls.Challenge(challenge.Id));
        writer.WriteString("status", Name(challenge.Status));
        writer.WriteString("token", challenge.Token);
        if (challenge.Validated is { } validated)
        {
            writer.WriteString("validated", AcmeTime.Format(validated));
        }

        if (challenge.Error is not null)
        {
            writer.WritePropertyName("error");
            WriteProblem(writer, challenge.Error);
        }
    }

    private static void WriteProblem(Utf8JsonWriter writer, AcmeStoredError error)
    {
        writer.WriteStartObject();
        writer.WriteString("type", error.Type.Urn());
        writer.WriteString("detail", error.Detail);
        writer.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> members)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
