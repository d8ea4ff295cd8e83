package docker

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
	"github.com/whitemagic/whitemagic/internal/testenv"
)

func TestNewWithoutDaemon(t *testing.T) {
	t.Parallel()
	_, err := New(context.Background(), filepath.Join(t.TempDir(), "no-such-docker"))
	if !errors.Is(err, engine.ErrUnavailable) {
		t.Errorf("New(missing client) error = %v, want engine.ErrUnavailable", err)
	}
}

// contextDir writes a build context with the given Dockerfile and one file to copy.
func contextDir(t *testing.T, dockerfile string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"Dockerfile": dockerfile, "hello.txt": "hello\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuildSavesTheImageAndCloseRemovesIt(t *testing.T) {
	testenv.RequireDocker(t)
	ctx := context.Background()
	e, err := New(ctx, testenv.DockerBin())
	if err != nil {
		t.Fatal(err)
	}
	tag := testenv.UniqueName("whitemagic-enginetest") + ":t"
	dst := filepath.Join(t.TempDir(), "image.tar")
	spec := engine.BuildSpec{Context: contextDir(t, "FROM scratch\nARG NOTE\nLABEL note=$NOTE\nCOPY hello.txt /\n"),
		Dockerfile: "Dockerfile", Args: map[string]string{"NOTE": "from-a-build-arg"}, Tag: tag}
	if err := e.Build(ctx, spec, dst); err != nil {
		t.Fatalf("Build() error = %v", err)
	}
	img, err := tarball.ImageFromPath(dst, nil)
	if err != nil {
		t.Fatalf("reading the saved tarball: %v", err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Config.Labels["note"]; got != "from-a-build-arg" {
		t.Errorf("label note = %q, want the build argument's value", got)
	}
	if err := e.Close(); err != nil {
		t.Fatalf("Close() error = %v", err)
	}
	if _, err := testenv.DockerErr("image", "inspect", tag); err == nil {
		t.Errorf("image %s still exists after Close", tag)
	}
}

func TestBuildErrorIsTheSourcesFault(t *testing.T) {
	testenv.RequireDocker(t)
	ctx := context.Background()
	e, err := New(ctx, testenv.DockerBin())
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	spec := engine.BuildSpec{Context: contextDir(t, "FROM scratch\nCOPY missing.txt /\n"),
		Dockerfile: "Dockerfile", Tag: testenv.UniqueName("whitemagic-enginetest") + ":t"}
	err = e.Build(ctx, spec, filepath.Join(t.TempDir(), "image.tar"))
	var be *engine.BuildError
	if !errors.As(err, &be) {
		t.Fatalf("Build(missing file) error = %v, want an *engine.BuildError", err)
	}
	if !strings.Contains(be.Log, "missing.txt") {
		t.Errorf("BuildError.Log = %q, want the build output naming missing.txt", be.Log)
	}
}
