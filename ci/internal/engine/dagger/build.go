package dagger

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"dagger.io/dagger"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

// Build builds the Dockerfile with the engine's BuildKit (Directory.DockerBuild) and exports
// the image as a tarball to dst, which the audit reads and the publisher pushes.
func (e *Engine) Build(ctx context.Context, spec engine.BuildSpec, dst string) error {
	excludes, err := contextExcludes(spec.Context, spec.Dockerfile)
	if err != nil {
		return err
	}
	if ref := spec.Args["GO_IMAGE"]; ref != "" {
		if err := e.pullable(ctx, ref, "-go-image"); err != nil {
			return err
		}
	}

	src := e.client.Host().Directory(spec.Context, dagger.HostDirectoryOpts{Exclude: excludes})
	img, err := src.DockerBuild(dagger.DirectoryDockerBuildOpts{
		Dockerfile: filepath.ToSlash(spec.Dockerfile),
		BuildArgs:  buildArgs(spec.Args),
	}).Sync(ctx)
	if err != nil {
		return buildFailure(ctx, err)
	}

	if _, err := img.AsTarball().Export(ctx, dst); err != nil {
		return wrap(ctx, "exporting the image tarball", err, "")
	}
	return nil
}

// buildFailure tells a build that ran and failed (the Dockerfile or the source is at fault:
// a finding) from an engine that failed (an error).
func buildFailure(ctx context.Context, err error) error {
	switch classify(ctx, err) {
	case failExec:
		var x *dagger.ExecError
		errors.As(err, &x)
		return &engine.BuildError{
			Log: strings.TrimSpace(x.Stdout + "\n" + x.Stderr),
			Err: fmt.Errorf("%s exited with code %d: %s", strings.Join(x.Cmd, " "), x.ExitCode, lastLine(x.Stderr, x.Stdout)),
		}
	case failAPI:
		return &engine.BuildError{Log: err.Error(), Err: errors.New(oneLine(err))}
	}
	return wrap(ctx, "building the image", err, "")
}

// pullable checks that the engine can pull ref, so that a base image the engine cannot get
// is reported as engine trouble naming the flag, not as a broken Dockerfile.
func (e *Engine) pullable(ctx context.Context, ref, flag string) error {
	_, err := e.client.Container().From(ref).Sync(ctx)
	return wrap(ctx, "pulling "+ref, err, pullHint(flag))
}

// pullHint tells a user whose engine cannot pull an image what to do.
func pullHint(flag string) string {
	env := "WHITEMAGIC_" + strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(flag, "-"), "-", "_"))
	return fmt.Sprintf("let the engine reach the registry, or point %s (%s) at a mirror it can pull from", flag, env)
}

// buildArgs returns the build arguments in a stable order, so equal builds hit the cache.
func buildArgs(args map[string]string) []dagger.BuildArg {
	out := make([]dagger.BuildArg, 0, len(args))
	for k, v := range args {
		out = append(out, dagger.BuildArg{Name: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// contextExcludes reads the context's .dockerignore (or <Dockerfile>.dockerignore, which
// BuildKit prefers) into the patterns that keep ignored files from being uploaded at all.
// The Dockerfile and the ignore file are always sent, as docker build does: DockerBuild reads
// them, and applies the same ignore file again inside the engine.
func contextExcludes(dir, dockerfile string) ([]string, error) {
	var lines []string
	var used string
	for _, name := range []string{dockerfile + ".dockerignore", ".dockerignore"} {
		f, err := os.Open(filepath.Join(dir, name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		lines, err = ignorePatterns(bufio.NewScanner(f))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		used = name
		break
	}
	if used == "" {
		return nil, nil
	}
	return append(lines, "!"+filepath.ToSlash(filepath.Clean(dockerfile)), "!"+used), nil
}

// ignorePatterns parses .dockerignore lines: comments and blank lines are skipped, a leading
// "/" is dropped and paths are cleaned, and "!" marks an exception.
func ignorePatterns(s *bufio.Scanner) ([]string, error) {
	var out []string
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		neg := strings.HasPrefix(line, "!")
		line = strings.TrimSpace(strings.TrimPrefix(line, "!"))
		line = filepath.ToSlash(filepath.Clean(strings.TrimPrefix(line, "/")))
		if line == "." || line == "" {
			continue
		}
		if neg {
			line = "!" + line
		}
		out = append(out, line)
	}
	return out, s.Err()
}
