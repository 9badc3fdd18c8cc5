using System.Text.Json;
using Kith.IntegrationTests.Support;

namespace Kith.IntegrationTests.Cli;

/// <summary>
/// Enrollment: the Host CA key is made on its machine (<c>kith agent init</c>), the operator signs its CSR
/// (<c>kith machine sign</c>), the machine installs the certificate (<c>kith agent install</c>), and
/// <c>apply</c> re-signs the same key when the machine's names change, issuing none of its leaves.
/// </summary>
public class EnrollmentTests
{
    private const string TwoMachines = """
        domain: home.arpa
        machines:
          alpha: { addresses: [192.0.2.1] }
          beta: { addresses: [192.0.2.2] }
        services:
          web:
            machine: alpha
            endpoints: [web.home.arpa]
          api:
            machine: beta
            endpoints: [api.home.arpa]
        """;

    [Fact]
    public async Task Agent_init_makes_a_0600_key_and_a_csr_openssl_verifies_and_a_second_run_keeps_the_key()
    {
        using var kith = new KithWorkspace(TwoMachines);
        var agent = kith.File("agent-alpha");

        var first = await kith.SucceedAsync("agent", "init", "--machine", "alpha", "--dir", agent);

        var key = Path.Combine(agent, "host-ca.key");
        var csr = Path.Combine(agent, "host-ca.csr");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(agent));
        var (code, verify) = Openssl.Run("req", "-in", csr, "-verify", "-noout");
        Assert.True(code == 0, verify);
        Assert.Contains("kith machine sign alpha --csr", first.Out, StringComparison.Ordinal);
        Assert.Contains("created", first.Out, StringComparison.Ordinal);
        Assert.Contains("prime256v1", Openssl.Run("pkey", "-in", key, "-noout", "-text").Output, StringComparison.Ordinal);
        var keyBytes = File.ReadAllBytes(key);

        File.Delete(csr);
        var second = await kith.SucceedAsync("agent", "init", "--machine", "alpha", "--dir", agent, "--key", "rsa-3072");

        Assert.Equal(keyBytes, File.ReadAllBytes(key));
        Assert.Contains("exists, kept", second.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(csr));
        Assert.Equal(Openssl.Run("pkey", "-in", key, "-pubout").Output, Openssl.Run("req", "-in", csr, "-pubkey", "-noout").Output);

        CliRun.AssertCleanFailure(await kith.KithAsync("agent", "init", "--machine", "not.a.label", "--dir", kith.File("agent-x")), 1, "not.a.label");
        Assert.False(Directory.Exists(kith.File("agent-x")));
    }

    [Fact]
    public async Task A_signed_agent_key_installs_on_its_machine_and_apply_re_signs_the_same_key_without_issuing_its_leaves()
    {
        using var kith = new KithWorkspace(TwoMachines);
        await kith.SucceedAsync("init");
        var agent = kith.File("agent-alpha");
        await kith.SucceedAsync("agent", "init", "--machine", "alpha", "--dir", agent);
        var agentKey = Path.Combine(agent, "host-ca.key");
        var agentPublicKey = Openssl.Run("pkey", "-in", agentKey, "-pubout").Output;
        var signedCopy = kith.File("alpha-host-ca.pem");

        var sign = await kith.SucceedAsync("machine", "sign", "alpha", "--csr", Path.Combine(agent, "host-ca.csr"), "--out", signedCopy);

        Assert.Contains("agent-managed", sign.Out, StringComparison.Ordinal);
        var hostCa = Path.Combine(kith.State, "hosts", "alpha", "host-ca.pem");
        Assert.Equal(File.ReadAllBytes(hostCa), File.ReadAllBytes(signedCopy));
        Assert.True(File.Exists(Path.Combine(kith.State, "hosts", "alpha", "host-ca.csr")));
        Assert.False(File.Exists(Path.Combine(kith.State, "hosts", "alpha", "host-ca.key")));
        var (code, verify) = Openssl.Verify(kith.RootCertificate, null, signedCopy);
        Assert.True(code == 0, verify);
        Assert.Equal(agentPublicKey, Openssl.Run("x509", "-in", signedCopy, "-pubkey", "-noout").Output);
        var constraints = Openssl.Run("x509", "-in", signedCopy, "-noout", "-ext", "nameConstraints").Output;
        Assert.Contains("DNS:alpha.home.arpa", constraints, StringComparison.Ordinal);
        Assert.Contains("DNS:web.home.arpa", constraints, StringComparison.Ordinal);
        Assert.DoesNotContain("api.home.arpa", constraints, StringComparison.Ordinal);

        var installed = await kith.SucceedAsync("agent", "install", "--cert", signedCopy, "--root", kith.RootCertificate, "--dir", agent);
        Assert.Contains("chains to the Root", installed.Out, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(signedCopy), File.ReadAllBytes(Path.Combine(agent, "host-ca.pem")));

        // apply: beta is all-in-one as before; alpha's certificates are left to its agent.
        var applied = await kith.SucceedAsync("apply", "--all");
        Assert.Contains("issued by the machine's agent", applied.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(kith.OutputFolder, "alpha")), "apply wrote files for an agent-managed machine");
        Assert.True(File.Exists(kith.EndpointFolder("beta", "/var/lib/acme/api.home.arpa") + "/cert.pem"));
        Assert.False(File.Exists(Path.Combine(kith.State, "hosts", "alpha", "host-ca.key")));

        // The Host CA of beta is not alpha's to install.
        var betaCa = Path.Combine(kith.State, "hosts", "beta", "host-ca.pem");
        var before = FolderSnapshot.Take(agent);
        CliRun.AssertCleanFailure(await kith.KithAsync("agent", "install", "--cert", betaCa, "--dir", agent), 1, betaCa, agentKey);
        before.AssertUnchanged(FolderSnapshot.Take(agent), "the agent's folder");

        // A new endpoint on alpha: its Host CA is re-signed (same key, new constraints), nothing else.
        kith.Inventory = kith.Write("kith-more.yaml", TwoMachines.Replace("[web.home.arpa]", "[web.home.arpa, www.home.arpa]", StringComparison.Ordinal));
        var plan = await kith.SucceedAsync("plan", "--json");
        using (var document = JsonDocument.Parse(plan.Out))
        {
            var actions = document.RootElement.GetProperty("items").EnumerateArray()
                .Select(i => (Machine: i.GetProperty("machine").GetString(), Service: i.GetProperty("service").GetString(), Action: i.GetProperty("action").GetString()))
                .Where(i => i.Machine == "alpha")
                .OrderBy(i => i.Service ?? string.Empty, StringComparer.Ordinal)
                .ToList();
            (string?, string?, string?)[] expected = [("alpha", null, "update"), ("alpha", "web", "agent")];
            Assert.Equal(expected, actions);
        }

        var serialBefore = Openssl.Run("x509", "-in", hostCa, "-serial", "-noout").Output;
        var reapplied = await kith.SucceedAsync("apply");

        Assert.Contains("signed 1 Host CA(s), issued 0 certificate(s)", reapplied.Out, StringComparison.Ordinal);
        Assert.NotEqual(serialBefore, Openssl.Run("x509", "-in", hostCa, "-serial", "-noout").Output);
        Assert.Equal(agentPublicKey, Openssl.Run("x509", "-in", hostCa, "-pubkey", "-noout").Output);
        Assert.Contains("DNS:www.home.arpa", Openssl.Run("x509", "-in", hostCa, "-noout", "-ext", "nameConstraints").Output, StringComparison.Ordinal);
        (code, verify) = Openssl.Verify(kith.RootCertificate, null, hostCa);
        Assert.True(code == 0, verify);
        Assert.False(Directory.Exists(Path.Combine(kith.OutputFolder, "alpha")), "apply wrote files for an agent-managed machine");
        Assert.False(File.Exists(Path.Combine(kith.State, "hosts", "alpha", "host-ca.key")));
        Assert.Contains("nothing to do", (await kith.SucceedAsync("plan")).Out, StringComparison.Ordinal);

        // The re-signed certificate installs on the machine as it is.
        await kith.SucceedAsync("agent", "install", "--cert", hostCa, "--root", kith.RootCertificate, "--dir", agent);
        CliRun.AssertCleanFailure(await kith.KithAsync("issue", "x.web.home.arpa", "--machine", "alpha", "--out", kith.File("x")), 1, "agent-managed");
    }

    [Fact]
    public async Task Machine_sign_moves_an_all_in_one_machine_to_its_agents_key()
    {
        using var kith = new KithWorkspace(TwoMachines);
        await kith.SucceedAsync("init");
        await kith.SucceedAsync("apply");
        var agent = kith.File("agent-alpha");
        await kith.SucceedAsync("agent", "init", "--machine", "alpha", "--dir", agent);

        var sign = await kith.SucceedAsync("machine", "sign", "alpha", "--csr", Path.Combine(agent, "host-ca.csr"));

        Assert.Contains("all-in-one key", sign.Out, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(kith.State, "hosts", "alpha", "host-ca.key")));
        Assert.Equal(
            Openssl.Run("pkey", "-in", Path.Combine(agent, "host-ca.key"), "-pubout").Output,
            Openssl.Run("x509", "-in", Path.Combine(kith.State, "hosts", "alpha", "host-ca.pem"), "-pubkey", "-noout").Output);

        // beta's key cannot become alpha's too.
        var betaCsr = Path.Combine(kith.State, "hosts", "beta", "host-ca.csr");
        var before = FolderSnapshot.Take(kith.State);
        CliRun.AssertCleanFailure(await kith.KithAsync("machine", "sign", "alpha", "--csr", betaCsr), 1, "beta");
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
    }

    [Theory]
    [InlineData("unknown-machine")]
    [InlineData("garbage-csr")]
    [InlineData("root-key-csr")]
    public async Task Machine_sign_refuses_with_one_line_and_stores_nothing(string kind)
    {
        using var kith = new KithWorkspace(TwoMachines);
        await kith.SucceedAsync("init");
        var agent = kith.File("agent");
        await kith.SucceedAsync("agent", "init", "--machine", "alpha", "--dir", agent);
        var machine = "alpha";
        var csr = Path.Combine(agent, "host-ca.csr");
        string mention;
        switch (kind)
        {
            case "unknown-machine":
                machine = "gamma";
                mention = "gamma";
                break;
            case "garbage-csr":
                csr = kith.Write("garbage.csr", "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgQ1NS\n-----END CERTIFICATE REQUEST-----\n");
                mention = "garbage.csr";
                break;
            default:
                csr = kith.File("root.csr");
                var (code, made) = Openssl.Run("req", "-new", "-key", kith.RootKey, "-passin", "file:" + kith.PassphraseFile, "-subj", "/CN=kith Host CA alpha", "-out", csr);
                Assert.True(code == 0, made);
                mention = "Root";
                break;
        }

        var out_ = kith.File("copy.pem");
        var before = FolderSnapshot.Take(kith.State);

        var result = await kith.KithAsync("machine", "sign", machine, "--csr", csr, "--out", out_);

        CliRun.AssertCleanFailure(result, 1, mention);
        Assert.Equal(string.Empty, result.Out);
        before.AssertUnchanged(FolderSnapshot.Take(kith.State), "the state folder");
        Assert.False(File.Exists(out_));
    }
}
