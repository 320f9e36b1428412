package handler

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"tilefunc"
	"tilefunc/tiles"
	"tilefunc/tiles/raster"
)

// TracedRenderer is r with a span around each call (reading, warping and
// mosaicking the assets), a child of the request's span and made by its
// tracer provider: main wraps the renderer with it when tracing is on.
func TracedRenderer(r Renderer) Renderer { return tracedRenderer{r} }

type tracedRenderer struct{ Renderer }

// startSpan starts a span named name under ctx's span.
func startSpan(ctx context.Context, name string, attrs ...attribute.KeyValue) (context.Context, trace.Span) {
	tracer := trace.SpanFromContext(ctx).TracerProvider().Tracer("tilefunc/handler")
	return tracer.Start(ctx, name, trace.WithAttributes(attrs...))
}

// end ends span, marking it failed when err is not a client's error.
func end(span trace.Span, err error) {
	if err != nil && status[tilefunc.ErrorCode(err)] >= 500 {
		span.SetStatus(codes.Error, tilefunc.Redact(tilefunc.ErrorMessage(err)))
	}
	span.End()
}

func windowAttrs(items int, win tiles.Window) []attribute.KeyValue {
	return []attribute.KeyValue{attribute.Int("tilefunc.items", items), attribute.Int("tilefunc.width", win.Width),
		attribute.Int("tilefunc.height", win.Height), attribute.String("tilefunc.crs", win.CRS)}
}

func (t tracedRenderer) Image(ctx context.Context, items []tilefunc.Item, win tiles.Window, spec tiles.Spec) (*raster.Image, error) {
	ctx, span := startSpan(ctx, "render", windowAttrs(len(items), win)...)
	img, err := t.Renderer.Image(ctx, items, win, spec)
	end(span, err)
	return img, err
}

func (t tracedRenderer) Point(ctx context.Context, items []tilefunc.Item, x, y float64, crs tiles.CRS, spec tiles.Spec) ([]tiles.PointValues, error) {
	ctx, span := startSpan(ctx, "render point", attribute.Int("tilefunc.items", len(items)))
	v, err := t.Renderer.Point(ctx, items, x, y, crs, spec)
	end(span, err)
	return v, err
}

func (t tracedRenderer) Item(ctx context.Context, item tilefunc.Item, win tiles.Window, spec tiles.Spec) (*raster.Image, error) {
	ctx, span := startSpan(ctx, "render", windowAttrs(1, win)...)
	img, err := t.Renderer.Item(ctx, item, win, spec)
	end(span, err)
	return img, err
}

func (t tracedRenderer) ItemPoint(ctx context.Context, item tilefunc.Item, x, y float64, crs tiles.CRS, spec tiles.Spec) (*raster.Image, error) {
	ctx, span := startSpan(ctx, "render point", attribute.Int("tilefunc.items", 1))
	img, err := t.Renderer.ItemPoint(ctx, item, x, y, crs, spec)
	end(span, err)
	return img, err
}

func (t tracedRenderer) Info(ctx context.Context, item tilefunc.Item, assets []string) ([]tiles.AssetInfo, error) {
	ctx, span := startSpan(ctx, "read info", attribute.Int("tilefunc.assets", len(assets)))
	infos, err := t.Renderer.Info(ctx, item, assets)
	end(span, err)
	return infos, err
}
