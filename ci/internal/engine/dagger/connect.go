package dagger

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"dagger.io/dagger"
	"dagger.io/dagger/engineconn"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

// Environment variables through which the Dagger SDK finds an engine.
const (
	envSessionPort  = "DAGGER_SESSION_PORT"  // set by `dagger run` for the program it starts
	envSessionToken = "DAGGER_SESSION_TOKEN" // set with it
	envCLIBin       = "_EXPERIMENTAL_DAGGER_CLI_BIN"
	envRunnerHost   = "_EXPERIMENTAL_DAGGER_RUNNER_HOST" // a remote or shared engine
)

// installHint says how to get a Dagger CLI; it ends every "no CLI" error.
const installHint = "install the Dagger CLI " + engineconn.CLIVersion +
	" (curl -fsSL https://dl.dagger.io/dagger/install.sh | DAGGER_VERSION=" + engineconn.CLIVersion +
	" BIN_DIR=/usr/local/bin sh, or see docs/dagger.md), then run `dagger run go run ./ci`" +
	" or put dagger on PATH"

// route is how this process reaches an engine.
type route struct {
	// session is true inside `dagger run`: the SDK talks to the session it was given.
	session bool
	// cli is the dagger CLI the SDK starts a session with; it provisions or reaches the
	// engine itself, honouring _EXPERIMENTAL_DAGGER_RUNNER_HOST.
	cli string
}

func (r route) String() string {
	if r.session {
		return "the session of `dagger run`"
	}
	return "the Dagger CLI at " + r.cli
}

// findRoute picks the way to the engine from the environment, in the SDK's own order: a
// session, then _EXPERIMENTAL_DAGGER_CLI_BIN, then (our addition) dagger on PATH and a CLI
// the SDK downloaded earlier. It never lets the SDK fall through to downloading a CLI from
// the internet on its own: with no CLI anywhere it fails and says how to install one.
func findRoute(getenv func(string) string, lookPath func(string) (string, error), cacheDir string) (route, error) {
	if getenv(envSessionPort) != "" {
		if getenv(envSessionToken) == "" {
			return route{}, fmt.Errorf("%w: %s is set but %s is not: run the pipeline with `dagger run go run ./ci`, or unset %s",
				engine.ErrUnavailable, envSessionPort, envSessionToken, envSessionPort)
		}
		return route{session: true}, nil
	}
	if bin := getenv(envCLIBin); bin != "" {
		path, err := lookPath(bin)
		if err != nil {
			return route{}, fmt.Errorf("%w: %s names %s, which is not an executable: %v; fix it, or %s",
				engine.ErrUnavailable, envCLIBin, bin, err, installHint)
		}
		return route{cli: path}, nil
	}
	if path, err := lookPath("dagger"); err == nil {
		return route{cli: path}, nil
	}
	if cacheDir != "" {
		cached := filepath.Join(cacheDir, "dagger", "dagger-"+engineconn.CLIVersion)
		if path, err := lookPath(cached); err == nil {
			return route{cli: path}, nil
		}
	}
	where := "no dagger CLI on PATH"
	if rh := getenv(envRunnerHost); rh != "" {
		where += " (" + envRunnerHost + "=" + rh + " needs one too)"
	}
	return route{}, fmt.Errorf("%w: %s and not inside `dagger run`: %s", engine.ErrUnavailable, where, installHint)
}

// cacheHome is where the SDK keeps a CLI it downloaded: $XDG_CACHE_HOME, else ~/.cache.
func cacheHome(getenv func(string) string) string {
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		return d
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".cache")
	}
	return ""
}

// connect opens a client on the route, with the engine's progress going to o.Log. The
// session lives until Close, not until ctx ends: after an interrupt the hardened run still
// removes what it started through it. An interrupt while connecting stops the wait.
func connect(ctx context.Context, r route, o Options) (*dagger.Client, error) {
	if r.cli != "" && os.Getenv(envCLIBin) != r.cli {
		// The SDK reads the CLI's path from this variable only; setting it is what keeps the
		// SDK from downloading a CLI of its own.
		if err := os.Setenv(envCLIBin, r.cli); err != nil {
			return nil, fmt.Errorf("pointing the Dagger SDK at %s: %w", r.cli, err)
		}
	}
	opts := []dagger.ClientOpt{}
	if o.Log != nil {
		opts = append(opts, dagger.WithLogOutput(o.Log))
	}

	type result struct {
		c   *dagger.Client
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := dagger.Connect(context.WithoutCancel(ctx), opts...)
		done <- result{c, err}
	}()
	select {
	case res := <-done:
		if res.err != nil {
			return nil, fmt.Errorf("%w: connecting to the Dagger engine through %s: %v; "+
				"check that the engine runs (or that %s names a reachable one), and see docs/dagger.md",
				engine.ErrUnavailable, r, res.err, envRunnerHost)
		}
		return res.c, nil
	case <-ctx.Done():
		go func() {
			if res := <-done; res.c != nil {
				res.c.Close()
			}
		}()
		return nil, ctx.Err()
	}
}
