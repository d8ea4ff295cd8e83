// Package docker implements the engine seam with the host's Docker Engine, through the docker
// CLI, and runs the Go tests with the host's Go toolchain.
package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

// Engine drives a Docker daemon with the docker CLI at Bin.
type Engine struct {
	Bin string

	mu    sync.Mutex
	built []string // image tags Build made, removed by Close
}

// New returns an engine using the docker client bin, or finds one when bin is empty. It fails
// with engine.ErrUnavailable when no daemon answers.
func New(ctx context.Context, bin string) (*Engine, error) {
	if bin == "" {
		var err error
		if bin, err = findClient(ctx); err != nil {
			return nil, err
		}
	}
	e := &Engine{Bin: bin}
	if _, _, err := e.run(ctx, nil, nil, "version", "--format", "{{.Server.Version}}"); err != nil {
		return nil, fmt.Errorf("%w: no Docker daemon answers through %s: %v", engine.ErrUnavailable, bin, err)
	}
	return e, nil
}

// findClient picks a docker client that can build with BuildKit: one with buildx, or a
// client older than 23, which has BuildKit built in. A newer client without buildx falls back
// to the legacy builder, which cannot build the Dockerfile's cache mounts.
func findClient(ctx context.Context) (string, error) {
	candidates := []string{"docker", "/usr/bin/docker"}
	var tried []string
	for _, c := range candidates {
		path, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		if buildKitCapable(ctx, path) {
			return path, nil
		}
		tried = append(tried, path)
	}
	if len(tried) == 0 {
		return "", fmt.Errorf("%w: no docker client on PATH: install Docker Engine (e.g. Debian's docker.io, or run .ci/prepare)", engine.ErrUnavailable)
	}
	return "", fmt.Errorf("%w: docker clients %s cannot build with BuildKit: install the buildx plugin or pass -docker with a client that can",
		engine.ErrUnavailable, strings.Join(tried, ", "))
}

func buildKitCapable(ctx context.Context, bin string) bool {
	if exec.CommandContext(ctx, bin, "buildx", "version").Run() == nil {
		return true
	}
	out, err := exec.CommandContext(ctx, bin, "version", "--format", "{{.Client.Version}}").Output()
	if err != nil {
		return false
	}
	major, _, _ := strings.Cut(strings.TrimSpace(string(out)), ".")
	n, err := strconv.Atoi(major)
	return err == nil && n < 23
}

// Name returns "docker".
func (e *Engine) Name() string { return "docker" }

// Close removes the image tags the engine built. The build cache stays, so the next run's
// build is as fast as this one's was warm.
func (e *Engine) Close() error {
	e.mu.Lock()
	tags := e.built
	e.built = nil
	e.mu.Unlock()
	if len(tags) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _, err := e.run(ctx, nil, nil, append([]string{"image", "rm", "--force"}, tags...)...)
	return err
}

// run runs the docker client and returns stdout and stderr; a failure carries stderr.
func (e *Engine) run(ctx context.Context, env []string, stdin io.Reader, args ...string) ([]byte, []byte, error) {
	cmd := exec.CommandContext(ctx, e.Bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return stdout.Bytes(), stderr.Bytes(), ctx.Err()
		}
		return stdout.Bytes(), stderr.Bytes(), fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err,
			lastLine(stderr.String()))
	}
	return stdout.Bytes(), stderr.Bytes(), nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// Build builds with BuildKit and saves the image to dst.
func (e *Engine) Build(ctx context.Context, spec engine.BuildSpec, dst string) error {
	args := []string{"build", "--file", filepath.Join(spec.Context, spec.Dockerfile), "--tag", spec.Tag,
		"--progress", "plain"}
	keys := make([]string, 0, len(spec.Args))
	for k := range spec.Args {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--build-arg", k+"="+spec.Args[k])
	}
	e.mu.Lock()
	e.built = append(e.built, spec.Tag)
	e.mu.Unlock()
	_, stderr, err := e.run(ctx, []string{"DOCKER_BUILDKIT=1"}, nil, append(args, spec.Context)...)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if e.daemonGone(ctx) {
			return fmt.Errorf("%w: the Docker daemon stopped answering during the build: %v", engine.ErrUnavailable, err)
		}
		return &engine.BuildError{Log: string(stderr), Err: err}
	}
	if _, _, err := e.run(ctx, nil, nil, "save", "--output", dst, spec.Tag); err != nil {
		return fmt.Errorf("saving the image: %w", err)
	}
	return nil
}

func (e *Engine) daemonGone(ctx context.Context) bool {
	_, _, err := e.run(ctx, nil, nil, "version", "--format", "{{.Server.Version}}")
	return err != nil
}

// Test vets and tests the packages with the host's Go toolchain, race detector on.
func (e *Engine) Test(ctx context.Context, spec engine.TestSpec) (engine.TestResult, error) {
	var out bytes.Buffer
	for _, args := range [][]string{
		append([]string{"vet"}, spec.Packages...),
		// Go's test cache replays a passing result only when the tests' inputs (sources,
		// files they read, environment) are unchanged, so a warm run skips what cannot differ.
		append([]string{"test", "-race"}, spec.Packages...),
	} {
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = spec.Dir
		cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case ctx.Err() != nil:
			return engine.TestResult{}, ctx.Err()
		case errors.As(err, &exit):
			return engine.TestResult{Passed: false, Output: out.String()}, nil
		case err != nil:
			return engine.TestResult{}, fmt.Errorf("running go %s: %w", args[0], err)
		}
	}
	return engine.TestResult{Passed: true, Output: out.String()}, nil
}

// Host returns the daemon itself: the image was built there under tag already.
func (e *Engine) Host(ctx context.Context, tarball, tag string) (engine.Host, error) {
	return &host{e: e}, nil
}

type host struct{ e *Engine }

func (h *host) Docker(ctx context.Context, stdin io.Reader, args ...string) ([]byte, []byte, error) {
	return h.e.run(ctx, nil, stdin, args...)
}

func (h *host) BindAddress() string { return "127.0.0.1" }

func (h *host) URL(ctx context.Context, port int) (string, error) {
	return fmt.Sprintf("http://127.0.0.1:%d", port), nil
}

// ProcStatus reads the process's status from this machine's /proc. It assumes the daemon
// runs on this machine; with a remote DOCKER_HOST the pid means nothing here.
func (h *host) ProcStatus(ctx context.Context, pid int) (string, error) {
	if os.Getenv("DOCKER_HOST") != "" && !strings.HasPrefix(os.Getenv("DOCKER_HOST"), "unix://") {
		return "", fmt.Errorf("the kernel checks need the daemon on this machine; DOCKER_HOST is %s", os.Getenv("DOCKER_HOST"))
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	return string(b), err
}

func (h *host) Close() error { return nil }
