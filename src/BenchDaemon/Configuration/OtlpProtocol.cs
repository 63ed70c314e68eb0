namespace BenchDaemon.Configuration;

/// <summary>OTLP transport, as the OpenTelemetry specification names them.</summary>
public enum OtlpProtocol
{
    /// <summary>OTLP over gRPC (default port 4317).</summary>
    Grpc,

    /// <summary>OTLP over HTTP with protobuf bodies (default port 4318, path /v1/metrics).</summary>
    HttpProtobuf,
}
