package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	noopmetric "go.opentelemetry.io/otel/metric/noop"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Tracing makes OpenTelemetry spans and sends them over OTLP/HTTP where the
// OTEL_* variables say (OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS, _TIMEOUT,
// OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER, ...), which the SDK reads itself.
type Tracing struct {
	tp *sdktrace.TracerProvider
}

// StartTracing builds the exporter and the tracer provider. Nothing is
// sent until a span ends, so it does not wait for the collector. The SDK's
// own complaints (a collector that does not answer) go to log as JSON.
func StartTracing(ctx context.Context, version string, log *slog.Logger) (*Tracing, error) {
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		log.Warn("telemetry", "error", err.Error())
	}))
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("telemetry: OTLP exporter: %w", err)
	}
	// The environment's OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES come
	// after tilefunc's own name, so they win.
	res, err := resource.New(ctx, resource.WithTelemetrySDK(),
		resource.WithAttributes(semconv.ServiceName("tilefunc"), semconv.ServiceVersion(version)), resource.WithFromEnv())
	if err != nil {
		return nil, fmt.Errorf("telemetry: OTEL_RESOURCE_ATTRIBUTES: %w", err)
	}
	return &Tracing{tp: sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))}, nil
}

// Provider is the tracer provider, for spans of tilefunc's own.
func (t *Tracing) Provider() trace.TracerProvider { return t.tp }

// Handler wraps h in a server span per request, the child of the caller's
// span when a W3C traceparent header names one (the Functions host
// forwards its own). The handler renames the span after the function that
// served the request once the router has picked it.
func (t *Tracing) Handler(h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, "request",
		otelhttp.WithTracerProvider(t.tp),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		otelhttp.WithMeterProvider(noopmetric.NewMeterProvider()), // request metrics are Prometheus's
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return r.Method }))
}

// QueryTracer makes a client span of each pgSTAC query and connection,
// with the statement (its parameters left out) and the server's address.
func (t *Tracing) QueryTracer() pgx.QueryTracer {
	return otelpgx.NewTracer(otelpgx.WithTracerProvider(t.tp), otelpgx.WithMeterProvider(noopmetric.NewMeterProvider()),
		otelpgx.WithDisableAcquireTracer())
}

// Shutdown sends the spans still buffered, within ctx's deadline.
func (t *Tracing) Shutdown(ctx context.Context) error { return t.tp.Shutdown(ctx) }
