package dagger

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"

	"dagger.io/dagger"
)

// Default images: pinned tags of the official images. An air-gapped site points each option
// at its mirror.
const (
	DefaultGoImage   = "golang:1.26.8-bookworm"
	DefaultDindImage = "docker:28.5.2-dind"
	DefaultCLIImage  = "docker:28.5.2-cli"
)

// Options configure the engine.
type Options struct {
	// GoImage runs go vet and go test, and builds the small helper the Docker host uses.
	GoImage string
	// DindImage runs the Docker daemon of the hardened run.
	DindImage string
	// CLIImage runs the docker CLI against that daemon.
	CLIImage string
	// Log receives the engine's progress, as the dagger CLI prints it; nil discards it.
	Log io.Writer
	// Getenv and LookPath find the engine; nil means os.Getenv and exec.LookPath.
	Getenv   func(string) string
	LookPath func(string) (string, error)
}

func (o Options) withDefaults() Options {
	if o.GoImage == "" {
		o.GoImage = DefaultGoImage
	}
	if o.DindImage == "" {
		o.DindImage = DefaultDindImage
	}
	if o.CLIImage == "" {
		o.CLIImage = DefaultCLIImage
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.LookPath == nil {
		o.LookPath = exec.LookPath
	}
	return o
}

// Engine carries out the pipeline's stages on a Dagger engine.
type Engine struct {
	opts   Options
	client *dagger.Client
	// id keeps this run's cache volumes and services apart from other runs on the engine.
	id string

	mu    sync.Mutex
	hosts []*host // open Docker hosts, closed with the engine at the latest
}

// New connects to a Dagger engine: the session of `dagger run`, or a session the dagger CLI
// opens (on PATH or named by _EXPERIMENTAL_DAGGER_CLI_BIN; it reaches the engine named by
// _EXPERIMENTAL_DAGGER_RUNNER_HOST, or provisions a local one). Errors wrap
// engine.ErrUnavailable and say how to get an engine.
func New(ctx context.Context, o Options) (*Engine, error) {
	o = o.withDefaults()
	r, err := findRoute(o.Getenv, o.LookPath, cacheHome(o.Getenv))
	if err != nil {
		return nil, err
	}
	c, err := connect(ctx, r, o)
	if err != nil {
		return nil, err
	}
	return newEngine(c, o), nil
}

// newEngine wraps a connected client; tests hand it a client on a fake connection.
func newEngine(c *dagger.Client, o Options) *Engine {
	return &Engine{opts: o.withDefaults(), client: c, id: randomID()}
}

// Name returns "dagger".
func (e *Engine) Name() string { return "dagger" }

// Close stops what the engine still runs for this process and ends the session.
func (e *Engine) Close() error {
	e.mu.Lock()
	hosts := e.hosts
	e.hosts = nil
	e.mu.Unlock()
	var errs []error
	for _, h := range hosts {
		errs = append(errs, h.Close())
	}
	if err := e.client.Close(); err != nil {
		errs = append(errs, fmt.Errorf("closing the Dagger session: %w", err))
	}
	return errors.Join(errs...)
}

func randomID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}
