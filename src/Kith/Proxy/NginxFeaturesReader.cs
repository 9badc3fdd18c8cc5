using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Kith.Proxy;

/// <summary>
/// What the installed nginx can do, read from <c>nginx -V</c> (docs/proxy-nginx.md, "Feature detection"): its
/// version, whether it was built with the HTTP/3 module, and the OpenSSL it was built with.
/// </summary>
public static partial class NginxFeaturesReader
{
    /// <summary><c>http2 on;</c> replaced the <c>http2</c> parameter of <c>listen</c> in nginx 1.25.1.</summary>
    private static readonly Version Http2DirectiveSince = new(1, 25, 1);

    /// <summary>nginx sends with SSL_sendfile (kernel TLS) since 1.21.4; older ones cannot use it.</summary>
    private static readonly Version KtlsSince = new(1, 21, 4);

    /// <summary>OpenSSL 3.0 added the KTLS option that <c>ssl_conf_command Options KTLS</c> turns on.</summary>
    private const int KtlsOpensslMajor = 3;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Debian 12's nginx: 1.22.1 built with OpenSSL 3.0, no HTTP/3 module, the <c>http2</c> listen parameter.</summary>
    public static NginxFeatures Baseline { get; } = new(new Version(1, 22, 1), Http3: false, Http2Directive: false, Ktls: true);

    /// <summary>Reads the features from the text <c>nginx -V</c> prints.</summary>
    public static NginxFeatures Parse(string nginxDashVOutput)
    {
        ArgumentNullException.ThrowIfNull(nginxDashVOutput);
        var versionMatch = VersionLine().Match(nginxDashVOutput);
        if (!versionMatch.Success || !Version.TryParse(versionMatch.Groups["version"].Value, out var version))
        {
            throw new KithException("nginx -V: no 'nginx version: nginx/X.Y.Z' line in its output; is it nginx? Pass the right binary with --nginx");
        }

        var http3 = nginxDashVOutput.Contains("--with-http_v3_module", StringComparison.Ordinal);
        var openssl = OpensslLine().Match(nginxDashVOutput);
        var opensslMajor = openssl.Success ? int.Parse(openssl.Groups["major"].Value, CultureInfo.InvariantCulture) : 0;
        return new NginxFeatures(
            version,
            http3,
            Http2Directive: version >= Http2DirectiveSince,
            Ktls: opensslMajor >= KtlsOpensslMajor && version >= KtlsSince);
    }

    /// <summary>Runs <c>nginx -V</c> (no shell) and reads its output; nginx prints it on stderr.</summary>
    public static NginxFeatures Detect(string nginx = "nginx")
    {
        ArgumentException.ThrowIfNullOrEmpty(nginx);
        var start = new ProcessStartInfo(nginx)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-V");
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new KithException($"{nginx} -V: cannot run it ({e.Message}); install nginx or pass its path with --nginx", e);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new KithException($"{nginx} -V: no answer after {Timeout.TotalSeconds:0}s");
        }

        var output = stderr.GetAwaiter().GetResult() + stdout.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            throw new KithException($"{nginx} -V: exit code {process.ExitCode}: {output.Trim()}");
        }

        return Parse(output);
    }

    [GeneratedRegex(@"^nginx version: [A-Za-z]+/(?<version>\d+\.\d+\.\d+)", RegexOptions.Multiline)]
    private static partial Regex VersionLine();

    [GeneratedRegex(@"^built with OpenSSL (?<major>\d+)\.", RegexOptions.Multiline)]
    private static partial Regex OpensslLine();
}
