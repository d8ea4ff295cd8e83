package dagger

import (
	"context"
	_ "embed"

	"dagger.io/dagger"
)

//go:embed peek/main.go
var peekSource string

// peekBinary builds the peek helper (see peek/main.go) as a static binary for the engine's
// platform, in the Go image. Dagger caches it: it is built once per engine.
func (e *Engine) peekBinary(ctx context.Context) (*dagger.File, error) {
	bin, err := e.goContainer().
		WithNewFile("/peek/go.mod", "module peek\n\ngo 1.22\n").
		WithNewFile("/peek/main.go", peekSource).
		WithWorkdir("/peek").
		WithEnvVariable("CGO_ENABLED", "0").
		WithEnvVariable("GOFLAGS", "").
		WithExec([]string{"go", "build", "-trimpath", "-ldflags=-s -w", "-o", "/out/peek", "."}).
		File("/out/peek").
		Sync(ctx)
	if err != nil {
		return nil, wrap(ctx, "building the helper for the Docker host with "+e.opts.GoImage, err, pullHint("-go-image"))
	}
	return bin, nil
}
