package dagger

import (
	"context"
	"errors"
	"strings"

	"dagger.io/dagger"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

// Test vets and tests the packages in a container of the Go image, race detector on, with
// the module and build caches on cache volumes that outlive the run. A failing vet or test
// is a result, not an error.
func (e *Engine) Test(ctx context.Context, spec engine.TestSpec) (engine.TestResult, error) {
	src := e.client.Host().Directory(spec.Dir, dagger.HostDirectoryOpts{
		Exclude:   []string{".git"},
		Gitignore: true,
	})
	out, err := e.goContainer().
		WithMountedDirectory("/src", src).
		WithWorkdir("/src").
		WithEnvVariable("CGO_ENABLED", "1"). // the race detector needs cgo
		WithExec(append([]string{"go", "vet"}, spec.Packages...)).
		WithExec(append([]string{"go", "test", "-race", "-count=1"}, spec.Packages...)).
		CombinedOutput(ctx)
	if classify(ctx, err) == failExec {
		var x *dagger.ExecError
		errors.As(err, &x)
		return engine.TestResult{Passed: false, Output: strings.TrimSpace(x.Stdout + "\n" + x.Stderr)}, nil
	}
	if err != nil {
		return engine.TestResult{}, wrap(ctx, "testing in Dagger with "+e.opts.GoImage, err, pullHint("-go-image"))
	}
	return engine.TestResult{Passed: true, Output: out}, nil
}

// goContainer is the Go image with caches for modules and compiled packages. It downloads
// modules only through the GOPROXY of this process's environment, and none when that is
// unset: the service needs the standard library only, and an air-gapped engine has no proxy.
func (e *Engine) goContainer() *dagger.Container {
	proxy := e.opts.Getenv("GOPROXY")
	if proxy == "" {
		proxy = "off"
	}
	return e.client.Container().From(e.opts.GoImage).
		WithMountedCache("/go/pkg/mod", e.client.CacheVolume("whitemagic-go-mod")).
		WithMountedCache("/root/.cache/go-build", e.client.CacheVolume("whitemagic-go-build")).
		WithEnvVariable("GOMODCACHE", "/go/pkg/mod").
		WithEnvVariable("GOCACHE", "/root/.cache/go-build").
		WithEnvVariable("GOPROXY", proxy).
		WithEnvVariable("GOFLAGS", "-mod=readonly").
		WithEnvVariable("GOTOOLCHAIN", "local")
}
