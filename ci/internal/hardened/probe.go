package hardened

import (
	"archive/tar"
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
)

//go:embed probe/main.go
var probeSource []byte

var (
	probeOnce sync.Once
	probeBin  []byte
	probeErr  error
)

// probeBinary builds the probe as a static Linux binary for this machine's architecture with the local Go toolchain,
// once per process. It needs no network: the probe uses the standard library only.
func probeBinary(ctx context.Context) ([]byte, error) {
	probeOnce.Do(func() { probeBin, probeErr = buildProbe(ctx) })
	return probeBin, probeErr
}

func buildProbe(ctx context.Context) ([]byte, error) {
	dir, err := os.MkdirTemp("", "whitemagic-probe-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	files := map[string][]byte{
		"go.mod":  []byte("module probe\n\ngo 1.22\n"),
		"main.go": probeSource,
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			return nil, err
		}
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", "probe", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH, "GOFLAGS=", "GOPROXY=off", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the filesystem probe with the local Go toolchain: %w: %s", err, out)
	}
	return os.ReadFile(filepath.Join(dir, "probe"))
}

// probeTar wraps the probe binary in a tar stream for docker cp.
func probeTar(bin []byte, name string) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(bin)),
		Typeflag: tar.TypeReg}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(bin); err != nil {
		return nil, err
	}
	return &buf, tw.Close()
}
