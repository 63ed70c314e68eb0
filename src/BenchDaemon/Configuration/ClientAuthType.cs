namespace BenchDaemon.Configuration;

/// <summary>
/// <c>tls_server_config.client_auth_type</c>: the subset of the exporter web-config values
/// that BenchDaemon supports (the names are the Go <c>crypto/tls</c> ones the format uses).
/// </summary>
public enum ClientAuthType
{
    /// <summary>No client certificate is asked for (the default).</summary>
    NoClientCert,

    /// <summary>A client certificate is optional, but one that is sent must chain to <c>client_ca_file</c>.</summary>
    VerifyClientCertIfGiven,

    /// <summary>Every client must present a certificate that chains to <c>client_ca_file</c> (mutual TLS).</summary>
    RequireAndVerifyClientCert,
}
