package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// DockerBin is the docker client the tests use: $DOCKER, else the Debian client, which
// builds with BuildKit (a newer client without buildx, which may come first on PATH, cannot).
func DockerBin() string {
	if v := os.Getenv("DOCKER"); v != "" {
		return v
	}
	if _, err := os.Stat("/usr/bin/docker"); err == nil {
		return "/usr/bin/docker"
	}
	return "docker"
}

// RequireDocker skips the test when no daemon answers, and fails it under CI=true.
func RequireDocker(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, DockerBin(), "info", "--format", "{{.ServerVersion}}").CombinedOutput()
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

// Docker runs the docker client and returns its trimmed standard output; it fails the test
// on a non-zero exit, with the client's stderr.
func Docker(t testing.TB, args ...string) string {
	t.Helper()
	out, err := DockerErr(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// DockerErr runs the docker client with BuildKit on and returns its trimmed standard output,
// or an error that carries the command and its stderr.
func DockerErr(args ...string) (string, error) {
	return DockerEnv(nil, args...)
}

// DockerEnv is DockerErr with extra environment variables.
func DockerEnv(env []string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, DockerBin(), args...)
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

// RepoRoot is the repository's root directory, which holds the Dockerfile and
// docker-compose.yml under test.
func RepoRoot(t testing.TB) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source to find the repository root")
	}
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

// UniqueName returns a name no other test run uses, for containers, volumes, projects and
// repositories.
func UniqueName(prefix string) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return prefix + "-" + hex.EncodeToString(b)
}
