package dagger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"dagger.io/dagger"
	"golang.org/x/sync/errgroup"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

const (
	// daemonAlias is the Docker daemon's host name for the containers bound to it.
	daemonAlias = "docker"
	// daemonPort is where the daemon serves its API, in plain text: only containers of this
	// session can reach it.
	daemonPort = 2375
	// stdinPath is where a docker command's standard input is mounted.
	stdinPath = "/run/whitemagic/stdin"
)

// host is a Docker daemon running as a Dagger service (Docker in Dagger), driven through a
// docker CLI container bound to it.
type host struct {
	e      *Engine
	daemon *dagger.Service
	cli    *dagger.Container
	// bind is the daemon's address on the session's network: ports published on it are the
	// ones a tunnel can reach, and it is not "every interface".
	bind string
	// peekImage names the helper image in the daemon.
	peekImage string

	mu      sync.Mutex
	tunnels map[int]tunnel
	closed  bool
}

// tunnel forwards a port of this machine to a port of the daemon's container.
type tunnel struct {
	svc *dagger.Service
	url string
}

// Host starts a Docker daemon in Dagger, loads the image of the tarball into it and tags it.
// The daemon's storage is a tmpfs that ends with it, so nothing of the run stays behind.
func (e *Engine) Host(ctx context.Context, tarball, tag string) (engine.Host, error) {
	h := &host{e: e, tunnels: map[int]tunnel{}, peekImage: "whitemagic-peek:" + e.id}
	e.mu.Lock()
	e.hosts = append(e.hosts, h)
	e.mu.Unlock()
	if err := h.start(ctx, tarball, tag); err != nil {
		h.Close()
		return nil, err
	}
	return h, nil
}

func (h *host) start(ctx context.Context, tarball, tag string) error {
	var peek *dagger.File
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		peek, err = h.e.peekBinary(gctx)
		return err
	})
	g.Go(func() error {
		svc := h.e.dockerDaemon(h.peekImage)
		var err error
		if h.daemon, err = svc.Start(gctx); err != nil {
			// A start cut short by an interrupt can leave dockerd running in the engine after
			// the session ends; stopping the service by its definition reaches it.
			_ = stopService(svc)
		}
		return wrap(gctx, "starting the Docker daemon in Dagger ("+h.e.opts.DindImage+")", err, pullHint("-dind-image"))
	})
	if err := g.Wait(); err != nil {
		return err
	}
	h.cli = h.e.client.Container().From(h.e.opts.CLIImage).
		WithServiceBinding(daemonAlias, h.daemon).
		WithEnvVariable("DOCKER_HOST", fmt.Sprintf("tcp://%s:%d", daemonAlias, daemonPort))

	ip, err := h.e.client.Container().
		WithFile("/peek", peek).
		WithServiceBinding(daemonAlias, h.daemon).
		WithEnvVariable("WHITEMAGIC_CALL", randomID()).
		WithExec([]string{"/peek", "resolve", daemonAlias}).
		Stdout(ctx)
	if err != nil {
		return wrap(ctx, "finding the Docker daemon's address", err, "")
	}
	h.bind = strings.TrimSpace(ip)

	if err := h.load(ctx, h.e.client.Host().File(tarball), tag); err != nil {
		return err
	}
	helper := h.e.client.Container().WithFile("/peek", peek).WithEntrypoint([]string{"/peek"})
	return h.load(ctx, helper.AsTarball(), h.peekImage)
}

// dockerDaemon is the dind service. dockerd needs every root capability (InsecureRootCapabilities)
// and a /var/lib/docker that is not the container's own overlay filesystem, where overlay2
// cannot mount: a tmpfs. Dagger deems the service ready when `docker info` answers, since the
// API port opens before the storage is ready. label makes the service this host's own.
func (e *Engine) dockerDaemon(label string) *dagger.Service {
	return e.client.Container().From(e.opts.DindImage).
		WithEnvVariable("DOCKER_TLS_CERTDIR", "").
		WithEnvVariable("WHITEMAGIC_HOST", label).
		WithMountedTemp("/var/lib/docker").
		WithExposedPort(daemonPort).
		WithDockerHealthcheck([]string{"docker", "info"}, dagger.ContainerWithDockerHealthcheckOpts{
			StartInterval: "250ms",
			Interval:      "1s",
			StartPeriod:   "60s",
			Retries:       3,
		}).
		AsService(dagger.ContainerAsServiceOpts{
			Args: []string{"dockerd", "--host=unix:///var/run/docker.sock",
				fmt.Sprintf("--host=tcp://0.0.0.0:%d", daemonPort), "--tls=false"},
			UseEntrypoint:            true,
			InsecureRootCapabilities: true,
		})
}

// load loads an image tarball into the daemon and tags it: an image from AsTarball carries
// no name.
func (h *host) load(ctx context.Context, tarball *dagger.File, tag string) error {
	out, _, err := h.run(ctx, tarball, "load")
	if err != nil {
		return fmt.Errorf("loading %s into the Docker daemon in Dagger: %w", tag, err)
	}
	ref, err := loadedImage(string(out))
	if err != nil {
		return err
	}
	if _, _, err := h.run(ctx, nil, "tag", ref, tag); err != nil {
		return fmt.Errorf("tagging the loaded image %s: %w", tag, err)
	}
	return nil
}

// loadedImage reads the image docker load reports: "Loaded image ID: sha256:…" for an
// untagged image, "Loaded image: name:tag" for a named one. The last one wins.
func loadedImage(out string) (string, error) {
	ref := ""
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if v, ok := strings.CutPrefix(line, "Loaded image ID:"); ok {
			ref = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(line, "Loaded image:"); ok {
			ref = strings.TrimSpace(v)
		}
	}
	if ref == "" {
		return "", fmt.Errorf("docker load named no image in its output %q", strings.TrimSpace(out))
	}
	return ref, nil
}

// Docker runs the docker CLI against the daemon in a fresh container exec. Standard input
// travels as a file, byte for byte.
func (h *host) Docker(ctx context.Context, stdin io.Reader, args ...string) ([]byte, []byte, error) {
	var in *dagger.File
	if stdin != nil {
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, nil, fmt.Errorf("reading the standard input of docker %s: %w", strings.Join(args, " "), err)
		}
		if len(b) > 0 {
			path, err := tempFile(b)
			if err != nil {
				return nil, nil, err
			}
			defer os.Remove(path)
			in = h.e.client.Host().File(path)
		}
	}
	return h.run(ctx, in, args...)
}

// run runs docker with args in the CLI container. Each call must really run: a random
// variable keeps Dagger from answering with a cached result of the same command.
func (h *host) run(ctx context.Context, stdin *dagger.File, args ...string) ([]byte, []byte, error) {
	c := h.cli.WithEnvVariable("WHITEMAGIC_CALL", randomID())
	opts := dagger.ContainerWithExecOpts{}
	if stdin != nil {
		c = c.WithMountedFile(stdinPath, stdin)
		opts.RedirectStdin = stdinPath
	}
	cmd := "docker " + strings.Join(args, " ")
	c, err := c.WithExec(append([]string{"docker"}, args...), opts).Sync(ctx)
	if classify(ctx, err) == failExec {
		var x *dagger.ExecError
		errors.As(err, &x)
		return []byte(x.Stdout), []byte(x.Stderr),
			fmt.Errorf("%s: exit status %d: %s", cmd, x.ExitCode, lastLine(x.Stderr, x.Stdout))
	}
	if err != nil {
		return nil, nil, wrap(ctx, cmd, err, "")
	}
	stdout, err := c.Stdout(ctx)
	if err != nil {
		return nil, nil, wrap(ctx, cmd, err, "")
	}
	stderr, err := c.Stderr(ctx)
	if err != nil {
		return nil, nil, wrap(ctx, cmd, err, "")
	}
	return []byte(stdout), []byte(stderr), nil
}

func tempFile(b []byte) (string, error) {
	f, err := os.CreateTemp("", "whitemagic-stdin-")
	if err != nil {
		return "", fmt.Errorf("staging standard input: %w", err)
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("staging standard input: %w", err)
	}
	return f.Name(), nil
}

// BindAddress is the daemon's address on the session's network.
func (h *host) BindAddress() string { return h.bind }

// URL returns a URL on this machine that reaches the daemon's published port, through a
// tunnel made on first use and kept until Close.
func (h *host) URL(ctx context.Context, port int) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if t, ok := h.tunnels[port]; ok {
		return t.url, nil
	}
	if h.closed {
		return "", fmt.Errorf("tunnelling to port %d: the Docker host is closed", port)
	}
	svc, err := h.e.client.Host().Tunnel(h.daemon, dagger.HostTunnelOpts{
		Ports: []dagger.PortForward{{Backend: port, Protocol: dagger.NetworkProtocolTcp}},
	}).Start(ctx)
	if err != nil {
		return "", wrap(ctx, fmt.Sprintf("tunnelling to port %d of the Docker daemon", port), err, "")
	}
	url, err := svc.Endpoint(ctx, dagger.ServiceEndpointOpts{Scheme: "http"})
	if err != nil {
		stopService(svc)
		return "", wrap(ctx, fmt.Sprintf("reading the tunnel's address for port %d", port), err, "")
	}
	h.tunnels[port] = tunnel{svc: svc, url: url}
	return url, nil
}

// ProcStatus reads /proc/<pid>/status from a throwaway container that shares the daemon's
// PID namespace, where the pid of docker inspect is valid. The helper runs locked down too.
func (h *host) ProcStatus(ctx context.Context, pid int) (string, error) {
	out, _, err := h.run(ctx, nil, "run", "--rm", "--pid", "host", "--network", "none",
		"--user", "65534:65534", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
		"--read-only", h.peekImage, "cat", fmt.Sprintf("/proc/%d/status", pid))
	return string(out), err
}

// Close stops the tunnels and the daemon, and with it every container of the run.
func (h *host) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	tunnels := h.tunnels
	h.tunnels = map[int]tunnel{}
	h.mu.Unlock()

	var errs []error
	for _, t := range tunnels {
		errs = append(errs, stopService(t.svc))
	}
	if h.daemon != nil {
		errs = append(errs, stopService(h.daemon))
	}
	return errors.Join(errs...)
}

// stopService stops svc with a fresh context, so it also runs after an interrupt. Its
// state is thrown away, so there is nothing to wait for.
func stopService(svc *dagger.Service) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := svc.Stop(ctx, dagger.ServiceStopOpts{Kill: true})
	return wrap(ctx, "stopping a service in Dagger", err, "")
}
