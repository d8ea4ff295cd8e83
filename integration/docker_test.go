package integration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// dockerBin is the docker client the tests use. The Debian client builds with BuildKit; a newer
// client without buildx, which may come first on PATH, cannot.
func dockerBin() string {
	if v := os.Getenv("DOCKER"); v != "" {
		return v
	}
	if _, err := os.Stat("/usr/bin/docker"); err == nil {
		return "/usr/bin/docker"
	}
	return "docker"
}

// requireDocker skips the test when no daemon answers, and fails it under CI=true.
func requireDocker(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, dockerBin(), "info", "--format", "{{.ServerVersion}}").CombinedOutput()
	if err == nil {
		return
	}
	msg := fmt.Sprintf("no Docker daemon answers (%v: %s); run .ci/prepare to install and start one",
		err, bytes.TrimSpace(out))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// docker runs the docker client and returns its trimmed standard output; it fails the test on
// a non-zero exit, with the client's stderr.
func docker(t *testing.T, args ...string) string {
	t.Helper()
	out, err := dockerErr(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// dockerErr runs the docker client and returns its trimmed standard output, or an error that
// carries the command and its stderr.
func dockerErr(args ...string) (string, error) {
	return dockerEnv(nil, args...)
}

func dockerEnv(env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, dockerBin(), args...)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=1")
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %w: %s", strings.Join(args, " "), err,
			bytes.TrimSpace(stderr.Bytes()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// repoRoot is the directory holding the Dockerfile and docker-compose.yml under test.
func repoRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source to find the repository root")
	}
	return filepath.Dir(filepath.Dir(file))
}

// uniqueName returns a name no other test run uses, for containers, volumes and projects.
func uniqueName(prefix string) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return prefix + "-" + hex.EncodeToString(b)
}

var (
	buildOnce sync.Once
	builtTag  string
	buildErr  error
)

// image builds the repository's Dockerfile once per test binary and returns the image's tag.
func image(t *testing.T) string {
	t.Helper()
	requireDocker(t)
	buildOnce.Do(func() {
		tag := uniqueName("whitemagic-itest") + ":test"
		_, buildErr = dockerErr("build", "--quiet",
			"--build-arg", "VERSION=0.0.0-itest",
			"--build-arg", "REVISION=itest",
			"--build-arg", "CREATED=2026-01-01T00:00:00Z",
			"-t", tag, repoRoot(t))
		builtTag = tag
	})
	if buildErr != nil {
		t.Fatalf("building the image from the Dockerfile: %v", buildErr)
	}
	return builtTag
}

func TestMain(m *testing.M) {
	code := m.Run()
	if builtTag != "" {
		if _, err := dockerErr("image", "rm", "-f", builtTag); err != nil {
			fmt.Fprintln(os.Stderr, "removing the test image:", err)
		}
	}
	os.Exit(code)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
