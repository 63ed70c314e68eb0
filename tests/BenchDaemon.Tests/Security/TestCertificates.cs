using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace BenchDaemon.Tests.Security;

/// <summary>
/// A throw-away PKI made by the test itself: a CA, a server certificate for 127.0.0.1 and
/// localhost signed by it, and a client certificate signed by it; written as PEM files.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    public TestCertificates(string directory, string name = "test")
    {
        var now = DateTimeOffset.UtcNow;
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest($"CN=BenchDaemon {name} CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        Ca = caRequest.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(2));

        (Server, ServerKeyPem) = Issue($"CN=127.0.0.1", serverAuth: true, now);
        (Client, ClientKeyPem) = Issue($"CN=prometheus", serverAuth: false, now);

        CaFile = Write(directory, $"{name}-ca.crt", Ca.ExportCertificatePem());
        CertFile = Write(directory, $"{name}-server.crt", Server.ExportCertificatePem());
        KeyFile = Write(directory, $"{name}-server.key", ServerKeyPem);
    }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Server { get; }

    public string ServerKeyPem { get; }

    /// <summary>A client certificate signed by <see cref="Ca"/>, with its private key.</summary>
    public X509Certificate2 Client { get; }

    public string ClientKeyPem { get; }

    public string CaFile { get; }

    public string CertFile { get; }

    public string KeyFile { get; }

    /// <summary>True when <paramref name="certificate"/> chains to <see cref="Ca"/>.</summary>
    public bool Trusts(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var cert = new X509Certificate2(certificate);
        return chain.Build(cert);
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        Client.Dispose();
    }

    private (X509Certificate2 Certificate, string KeyPem) Issue(string subject, bool serverAuth, DateTimeOffset now)
    {
        // Not disposed here: the issued certificate keeps using it.
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid(serverAuth ? "1.3.6.1.5.5.7.3.1" : "1.3.6.1.5.5.7.3.2")], false));
        if (serverAuth)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(IPAddress.Loopback);
            san.AddDnsName("localhost");
            request.CertificateExtensions.Add(san.Build());
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(Ca, now.AddMinutes(-5), now.AddDays(1), serial);
        return (issued.CopyWithPrivateKey(key), key.ExportPkcs8PrivateKeyPem());
    }

    private static string Write(string directory, string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
