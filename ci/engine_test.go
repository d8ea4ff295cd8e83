package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
	daggerengine "github.com/whitemagic/whitemagic/ci/internal/engine/dagger"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// namedEngine is an engine that only has a name: openEngine's tests look at which one it
// opened.
type namedEngine struct {
	engine.Engine
	name string
}

func (e namedEngine) Name() string { return e.name }

func TestOpenEngine(t *testing.T) {
	t.Parallel()
	onPath := func(found ...string) func(string) (string, error) {
		return func(file string) (string, error) {
			for _, f := range found {
				if f == file {
					return "/usr/local/bin/" + file, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	tests := []struct {
		name       string
		engine     string
		env        map[string]string
		lookPath   func(string) (string, error)
		dockerUp   bool
		daggerUp   bool
		want       string // the engine opened; "" for an error
		exit       int    // engineExit of the error
		errMention []string
	}{
		{"auto inside dagger run", "auto", map[string]string{"DAGGER_SESSION_PORT": "1234", "DAGGER_SESSION_TOKEN": "t"},
			onPath(), true, true, "dagger", 0, nil},
		{"auto with a remote runner", "auto", map[string]string{"_EXPERIMENTAL_DAGGER_RUNNER_HOST": "tcp://engine:1234"},
			onPath(), true, true, "dagger", 0, nil},
		{"auto with the CLI on PATH", "auto", nil, onPath("dagger"), true, true, "dagger", 0, nil},
		{"auto with the SDK's CLI variable", "auto", map[string]string{"_EXPERIMENTAL_DAGGER_CLI_BIN": "/opt/dagger"},
			onPath(), true, true, "dagger", 0, nil},
		{"auto without Dagger takes Docker", "auto", nil, onPath("docker"), true, true, "docker", 0, nil},
		{"auto with neither", "auto", nil, onPath(), false, false, "", pipeline.ExitUsage,
			[]string{"no engine found", ".ci/prepare", "dagger run go run ./ci", "-engine"}},
		{"auto with Dagger configured but unreachable", "auto", nil, onPath("dagger"), true, false, "",
			pipeline.ExitEngine, []string{"dagger is down"}},
		{"docker named, Dagger configured", "docker", nil, onPath("dagger"), true, true, "docker", 0, nil},
		{"docker named and down", "docker", nil, onPath(), false, true, "", pipeline.ExitEngine, []string{"docker is down"}},
		{"dagger named, nothing configured", "dagger", nil, onPath(), true, false, "", pipeline.ExitEngine,
			[]string{"dagger is down"}},
		{"dagger named", "dagger", nil, onPath(), true, true, "dagger", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var gotOpts daggerengine.Options
			d := engineDeps{
				getenv: env(tt.env), lookPath: tt.lookPath, log: io.Discard,
				newDocker: func(context.Context, string) (engine.Engine, error) {
					if !tt.dockerUp {
						return nil, fmt.Errorf("%w: docker is down", engine.ErrUnavailable)
					}
					return namedEngine{name: "docker"}, nil
				},
				newDagger: func(_ context.Context, o daggerengine.Options) (engine.Engine, error) {
					gotOpts = o
					if !tt.daggerUp {
						return nil, fmt.Errorf("%w: dagger is down", engine.ErrUnavailable)
					}
					return namedEngine{name: "dagger"}, nil
				},
			}
			o := options{engine: tt.engine, goImage: "g:1", dindImage: "d:1", cliImage: "c:1"}
			eng, err := openEngine(t.Context(), o, d)
			if tt.want != "" {
				if err != nil || eng.Name() != tt.want {
					t.Fatalf("openEngine() = %v, %v; want the %s engine", eng, err, tt.want)
				}
				if tt.want == "dagger" && (gotOpts.GoImage != "g:1" || gotOpts.DindImage != "d:1" || gotOpts.CLIImage != "c:1") {
					t.Errorf("the dagger engine got images %+v, want the flags' g:1 d:1 c:1", gotOpts)
				}
				return
			}
			if err == nil {
				t.Fatalf("openEngine() = %v, want an error", eng)
			}
			if got := engineExit(err); got != tt.exit {
				t.Errorf("engineExit(%v) = %d, want %d", err, got, tt.exit)
			}
			for _, s := range tt.errMention {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("openEngine() error = %q, want it to mention %q", err, s)
				}
			}
		})
	}
}

func TestImageFlags(t *testing.T) {
	t.Parallel()
	dir := sourceDir(t)
	tests := []struct {
		name                    string
		args                    []string
		env                     map[string]string
		goImage, dind, cli, err string
	}{
		{"defaults are pinned official tags", []string{"-source", dir}, nil,
			"golang:1.26.8-bookworm", "docker:28.5.2-dind", "docker:28.5.2-cli", ""},
		{"a mirror from the environment", []string{"-source", dir}, map[string]string{
			"WHITEMAGIC_GO_IMAGE":         "127.0.0.1:5000/mirror/golang:1.26.8-bookworm",
			"WHITEMAGIC_DIND_IMAGE":       "127.0.0.1:5000/mirror/docker:20.10-dind",
			"WHITEMAGIC_DOCKER_CLI_IMAGE": "127.0.0.1:5000/mirror/docker:20.10-cli",
		}, "127.0.0.1:5000/mirror/golang:1.26.8-bookworm", "127.0.0.1:5000/mirror/docker:20.10-dind",
			"127.0.0.1:5000/mirror/docker:20.10-cli", ""},
		{"flags beat the environment", []string{"-source", dir, "-dind-image", "mirror.example/docker@sha256:" + strings.Repeat("a", 64)},
			map[string]string{"WHITEMAGIC_DIND_IMAGE": "env/dind:1"},
			"golang:1.26.8-bookworm", "mirror.example/docker@sha256:" + strings.Repeat("a", 64), "docker:28.5.2-cli", ""},
		{"a bad reference names its flag", []string{"-source", dir, "-docker-cli-image", "Not A Ref"}, nil,
			"", "", "", `-docker-cli-image: "Not A Ref" is not an image reference`},
		{"dagger is an engine", []string{"-source", dir, "-engine", "dagger"}, nil,
			"golang:1.26.8-bookworm", "docker:28.5.2-dind", "docker:28.5.2-cli", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, ok := parseWant(t, tt.args, tt.env, tt.err)
			if !ok {
				return
			}
			if o.goImage != tt.goImage || o.dindImage != tt.dind || o.cliImage != tt.cli {
				t.Errorf("images = %q %q %q, want %q %q %q", o.goImage, o.dindImage, o.cliImage, tt.goImage, tt.dind, tt.cli)
			}
			if got := o.cfg.BuildArgs["GO_IMAGE"]; got != tt.goImage {
				t.Errorf("GO_IMAGE build argument = %q, want the Go image %q", got, tt.goImage)
			}
		})
	}
}
