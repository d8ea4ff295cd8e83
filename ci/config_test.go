package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// sourceDir makes a directory with an empty Dockerfile and compose file, enough for the
// configuration's file checks.
func sourceDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"Dockerfile", "docker-compose.yml"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// gitSourceDir is sourceDir as a git repository with one commit, tagged with tags.
func gitSourceDir(t *testing.T, tags ...string) (dir, commit string) {
	t.Helper()
	dir = sourceDir(t)
	return dir, gitCommit(t, dir, tags...)
}

// gitCommit makes dir a git repository if it is not one, commits everything in it, tags the
// commit with tags and returns its ID.
func gitCommit(t *testing.T, dir string, tags ...string) string {
	t.Helper()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-qm", "source")
	for _, tag := range tags {
		git("tag", tag)
	}
	return git("rev-parse", "HEAD")
}

// parseWant runs parseArgs and checks its error: one containing wantErr, or none when
// wantErr is empty. It reports whether the options are there to check further.
func parseWant(t *testing.T, args []string, vars map[string]string, wantErr string) (options, bool) {
	t.Helper()
	o, err := parseArgs(args, env(vars), io.Discard)
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("parseArgs(%q) error = %v, want one containing %q", args, err, wantErr)
		}
		return o, false
	}
	if err != nil {
		t.Fatalf("parseArgs(%q) error = %v", args, err)
	}
	return o, true
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestParseArgsDefaultsAndFallbacks(t *testing.T) {
	t.Parallel()
	dir := sourceDir(t)
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(t *testing.T, o options)
	}{
		{"defaults", []string{"-source", dir}, nil, func(t *testing.T, o options) {
			c := o.cfg
			if c.Mode != pipeline.ModeCheck || c.Image != "whitemagic" || len(c.Tags) != 1 || c.Tags[0] != "dev" {
				t.Errorf("mode, image, tags = %q %q %v, want check whitemagic [dev]", c.Mode, c.Image, c.Tags)
			}
			if c.HealthTimeout != 30*time.Second || c.Budget.MaxBytes != 10_000_000 {
				t.Errorf("health timeout, budget = %v %d, want 30s 10000000", c.HealthTimeout, c.Budget.MaxBytes)
			}
		}},
		{"mode first, flags after", []string{"publish", "-source", dir, "-registry", "127.0.0.1:5000", "-tags", "a,b"}, nil,
			func(t *testing.T, o options) {
				if o.cfg.Mode != pipeline.ModePublish || strings.Join(o.cfg.Tags, ",") != "a,b" {
					t.Errorf("mode, tags = %q %v, want publish [a b]", o.cfg.Mode, o.cfg.Tags)
				}
			}},
		{"environment fallback", []string{"-source", dir},
			map[string]string{"WHITEMAGIC_IMAGE": "ghcr.io/acme/wm", "WHITEMAGIC_HEALTH_TIMEOUT": "5s"},
			func(t *testing.T, o options) {
				if o.cfg.Image != "ghcr.io/acme/wm" || o.cfg.HealthTimeout != 5*time.Second {
					t.Errorf("image, timeout = %q %v, want the environment's", o.cfg.Image, o.cfg.HealthTimeout)
				}
			}},
		{"flag beats environment", []string{"-source", dir, "-image", "flag"},
			map[string]string{"WHITEMAGIC_IMAGE": "env"}, func(t *testing.T, o options) {
				if o.cfg.Image != "flag" {
					t.Errorf("image = %q, want the flag's value", o.cfg.Image)
				}
			}},
		{"version flag", []string{"-source", dir, "-version", "1.2.3"}, nil, func(t *testing.T, o options) {
			if got := o.cfg.BuildArgs["VERSION"]; got != "1.2.3" {
				t.Errorf("VERSION build arg = %q, want 1.2.3", got)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, err := parseArgs(tt.args, env(tt.env), io.Discard)
			if err != nil {
				t.Fatalf("parseArgs(%q) error = %v", tt.args, err)
			}
			tt.check(t, o)
		})
	}
}

func TestParseArgsErrorsNameTheFlag(t *testing.T) {
	t.Parallel()
	dir := sourceDir(t)
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown mode", []string{"deploy", "-source", dir}, nil, `unknown mode "deploy"`},
		{"publish without registry", []string{"publish", "-source", dir}, nil, "publish needs -registry"},
		{"missing dockerfile", []string{"-source", dir, "-dockerfile", "nope"}, nil, "-dockerfile"},
		{"missing compose file", []string{"-source", dir, "-compose", "nope.yml"}, nil, "-compose"},
		{"bad tag", []string{"-source", dir, "-tags", "ok,no tag"}, nil, `-tags: "no tag"`},
		{"bad budget", []string{"-source", dir, "-max-image-bytes", "ten"}, nil, "-max-image-bytes"},
		{"negative budget", []string{"-source", dir, "-max-layers", "-1"}, nil, "-max-layers"},
		{"bad timeout from env", []string{"-source", dir}, map[string]string{"WHITEMAGIC_HEALTH_TIMEOUT": "soon"}, "-health-timeout"},
		{"bad severity", []string{"-source", dir, "-fail-on", "fatal"}, nil, "-fail-on"},
		{"bad engine", []string{"-source", dir, "-engine", "podman"}, nil, "-engine"},
		{"argument after mode", []string{"check", "-source", dir, "extra"}, nil, `unexpected argument "extra"`},
		{"unknown flag", []string{"-frobnicate"}, nil, "frobnicate"},
		{"release without registry", []string{"release", "-source", dir, "-version", "v1.0.0"}, nil, "release needs -registry"},
		{"release with tags", []string{"release", "-source", dir, "-registry", "r", "-tags", "x"}, nil, "-tags: release computes"},
		{"release with tags from env", []string{"release", "-source", dir, "-registry", "r"},
			map[string]string{"WHITEMAGIC_TAGS": "x"}, "-tags: release computes"},
		{"release outside git", []string{"release", "-source", dir, "-registry", "r", "-version", "v1.0.0"}, nil, "-version"},
		{"same file for sbom and sarif", []string{"-source", dir, "-sarif", "x.json", "-sbom", "./x.json"}, nil,
			"-sarif and -sbom both name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseArgs(tt.args, env(tt.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("parseArgs(%q) error = %v, want one containing %q", tt.args, err, tt.want)
			}
		})
	}
}

func TestParseArgsPolicyFile(t *testing.T) {
	t.Parallel()
	withPolicy := func(src string) string {
		dir := sourceDir(t)
		if err := os.WriteFile(filepath.Join(dir, ".whitemagic.yml"), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	warning := withPolicy("fail-on: warning\nignore:\n  - rule: WM-DF-008\n    reason: built offline\n")
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    checks.Severity
		wantErr string
	}{
		{"no policy file", []string{"-source", sourceDir(t)}, nil, checks.Error, ""},
		{"the file sets fail-on", []string{"-source", warning}, nil, checks.Warning, ""},
		{"the flag beats the file", []string{"-source", warning, "-fail-on", "error"}, nil, checks.Error, ""},
		{"the environment beats the file", []string{"-source", warning}, map[string]string{"WHITEMAGIC_FAIL_ON": "info"}, checks.Info, ""},
		{"a broken file", []string{"-source", withPolicy("ignore: [")}, nil, 0, ".whitemagic.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, ok := parseWant(t, tt.args, tt.env, tt.wantErr)
			if !ok {
				return
			}
			if o.cfg.Threshold != tt.want {
				t.Errorf("parseArgs(%q) threshold = %v, want %v", tt.args, o.cfg.Threshold, tt.want)
			}
		})
	}
}

func TestParseArgsRelease(t *testing.T) {
	t.Parallel()
	tagged, commit := gitSourceDir(t, "v2.0.0-rc.1")
	plain, plainCommit := gitSourceDir(t)
	tests := []struct {
		name     string
		args     []string
		wantTags []string
		wantVer  string
		wantErr  string
	}{
		{"version flag", []string{"release", "-source", plain, "-registry", "r", "-version", "v1.2.3"},
			[]string{"1.2.3", "1.2", "1", "latest", plainCommit}, "1.2.3", ""},
		{"tag on HEAD, a pre-release", []string{"release", "-source", tagged, "-registry", "r"},
			[]string{"2.0.0-rc.1", commit}, "2.0.0-rc.1", ""},
		{"no tag on HEAD", []string{"release", "-source", plain, "-registry", "r"}, nil, "", "release needs a tag vX.Y.Z"},
		{"not a release tag", []string{"release", "-source", plain, "-registry", "r", "-version", "1.2"}, nil, "", "-version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o, ok := parseWant(t, tt.args, nil, tt.wantErr)
			if !ok {
				return
			}
			if diff := cmp.Diff(tt.wantTags, o.cfg.Tags); diff != "" {
				t.Errorf("tags mismatch (-want +got):\n%s", diff)
			}
			if o.cfg.Release == nil || o.cfg.BuildArgs["VERSION"] != tt.wantVer {
				t.Errorf("release %v, VERSION %q; want a plan and %q", o.cfg.Release, o.cfg.BuildArgs["VERSION"], tt.wantVer)
			}
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"help", []string{"-h"}, pipeline.ExitPassed},
		{"bad usage", []string{"-max-image-bytes", "lots"}, pipeline.ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			if got := run(t.Context(), tt.args, env(nil), &out, &out); got != tt.want {
				t.Errorf("run(%q) = %d, want %d; output:\n%s", tt.args, got, tt.want, out.String())
			}
		})
	}
}
