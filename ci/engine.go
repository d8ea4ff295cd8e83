package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
	daggerengine "github.com/whitemagic/whitemagic/ci/internal/engine/dagger"
	"github.com/whitemagic/whitemagic/ci/internal/engine/docker"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// The image flags' defaults: pinned tags of official images.
const (
	defaultGoImage   = daggerengine.DefaultGoImage
	defaultDindImage = daggerengine.DefaultDindImage
	defaultCLIImage  = daggerengine.DefaultCLIImage
)

// errNoEngine reports that -engine auto found neither engine: a configuration problem of
// the machine, so exit code 2.
var errNoEngine = errors.New("no engine found")

// noEngineHelp says how to get either engine.
const noEngineHelp = "start a Docker daemon (on Debian: .ci/prepare), or install the Dagger CLI " +
	"and run `dagger run go run ./ci` (docs/dagger.md), or name an engine with -engine"

// validateImages checks the image flags: each must be an image reference.
func (o *options) validateImages() []error {
	var errs []error
	for _, f := range []struct{ flag, ref string }{
		{"go-image", o.goImage}, {"dind-image", o.dindImage}, {"docker-cli-image", o.cliImage},
	} {
		if _, err := name.ParseReference(f.ref); err != nil {
			errs = append(errs, fmt.Errorf("-%s: %q is not an image reference such as %s: %v",
				f.flag, f.ref, "registry.example/mirror/golang:1.26.8-bookworm", err))
		}
	}
	return errs
}

// daggerConfigured reports whether the environment points at a Dagger engine: a session of
// `dagger run`, a runner, or a dagger CLI. It names what it found, for the run's first line.
func daggerConfigured(getenv func(string) string, lookPath func(string) (string, error)) (string, bool) {
	switch {
	case getenv("DAGGER_SESSION_PORT") != "" || getenv("DAGGER_SESSION_TOKEN") != "":
		return "a dagger run session", true
	case getenv("_EXPERIMENTAL_DAGGER_RUNNER_HOST") != "":
		return "_EXPERIMENTAL_DAGGER_RUNNER_HOST", true
	case getenv("_EXPERIMENTAL_DAGGER_CLI_BIN") != "":
		return "_EXPERIMENTAL_DAGGER_CLI_BIN", true
	}
	if path, err := lookPath("dagger"); err == nil {
		return "the dagger CLI at " + path, true
	}
	return "", false
}

// engineDeps are what openEngine asks of the machine; tests replace them.
type engineDeps struct {
	getenv    func(string) string
	lookPath  func(string) (string, error)
	log       io.Writer // the Dagger engine's progress
	newDocker func(ctx context.Context, bin string) (engine.Engine, error)
	newDagger func(ctx context.Context, o daggerengine.Options) (engine.Engine, error)
}

// openEngine returns the engine -engine names. auto takes Dagger when the environment points
// at it, else Docker when a daemon answers, else fails with errNoEngine.
func openEngine(ctx context.Context, o options, d engineDeps) (engine.Engine, error) {
	dagger := func() (engine.Engine, error) {
		return d.newDagger(ctx, daggerengine.Options{
			GoImage: o.goImage, DindImage: o.dindImage, CLIImage: o.cliImage,
			Log: d.log, Getenv: d.getenv, LookPath: d.lookPath,
		})
	}
	switch o.engine {
	case "dagger":
		return dagger()
	case "docker":
		return d.newDocker(ctx, o.docker)
	}
	if _, ok := daggerConfigured(d.getenv, d.lookPath); ok {
		return dagger()
	}
	eng, err := d.newDocker(ctx, o.docker)
	if errors.Is(err, engine.ErrUnavailable) {
		return nil, fmt.Errorf("%w (%v): %s", errNoEngine, err, noEngineHelp)
	}
	return eng, err
}

// realEngines are the engines themselves.
func realEngines(getenv func(string) string, lookPath func(string) (string, error), log io.Writer) engineDeps {
	return engineDeps{
		getenv: getenv, lookPath: lookPath, log: log,
		newDocker: func(ctx context.Context, bin string) (engine.Engine, error) {
			if e, err := docker.New(ctx, bin); err != nil {
				return nil, err
			} else {
				return e, nil
			}
		},
		newDagger: func(ctx context.Context, o daggerengine.Options) (engine.Engine, error) {
			if e, err := daggerengine.New(ctx, o); err != nil {
				return nil, err
			} else {
				return e, nil
			}
		},
	}
}

// engineExit is the exit code for an engine that could not be opened: 2 when auto found none
// (the machine needs setting up), 3 when the engine named failed.
func engineExit(err error) int {
	if errors.Is(err, errNoEngine) {
		return pipeline.ExitUsage
	}
	return pipeline.ExitEngine
}
