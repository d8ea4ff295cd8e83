package integration

import (
	"fmt"
	"os"
	"sync"
	"testing"

	"github.com/whitemagic/whitemagic/internal/testenv"
)

var (
	buildOnce sync.Once
	builtTag  string
	buildErr  error
)

// image builds the repository's Dockerfile once per test binary and returns the image's tag.
func image(t *testing.T) string {
	t.Helper()
	testenv.RequireDocker(t)
	buildOnce.Do(func() {
		tag := testenv.UniqueName("whitemagic-itest") + ":test"
		_, buildErr = testenv.DockerErr("build", "--quiet",
			"--build-arg", "VERSION=0.0.0-itest",
			"--build-arg", "REVISION=itest",
			"--build-arg", "CREATED=2026-01-01T00:00:00Z",
			"-t", tag, testenv.RepoRoot(t))
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
		if _, err := testenv.DockerErr("image", "rm", "-f", builtTag); err != nil {
			fmt.Fprintln(os.Stderr, "removing the test image:", err)
		}
	}
	os.Exit(code)
}
