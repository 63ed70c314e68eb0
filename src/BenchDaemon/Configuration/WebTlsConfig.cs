using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace BenchDaemon.Configuration;

/// <summary>The <c>tls_server_config</c> block of a web-config file, with the certificates loaded.</summary>
/// <param name="CertFile">PEM certificate (chain) file.</param>
/// <param name="KeyFile">PEM private key file.</param>
/// <param name="Certificate">The server certificate with its private key.</param>
/// <param name="ClientAuth">Whether and how client certificates are checked.</param>
/// <param name="ClientCaFile">PEM file of the CAs client certificates must chain to, or null.</param>
/// <param name="ClientCas">The certificates of <paramref name="ClientCaFile"/>.</param>
/// <param name="Protocols">Allowed TLS versions (1.2 and 1.3, or 1.3 only).</param>
public sealed record WebTlsConfig(
    string CertFile,
    string KeyFile,
    X509Certificate2 Certificate,
    ClientAuthType ClientAuth,
    string? ClientCaFile,
    X509Certificate2Collection ClientCas,
    SslProtocols Protocols);
