package dagger

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

func testEngine(t *testing.T, f *fakeEngine) *Engine {
	t.Helper()
	return newEngine(f.client(t), Options{Getenv: func(string) string { return "" }})
}

func TestTestOutcomes(t *testing.T) {
	spec := engine.TestSpec{Dir: t.TempDir(), Packages: []string{"./service/..."}}
	tests := []struct {
		name        string
		setup       func(f *fakeEngine)
		passed      bool
		output      string // the result's output contains it
		err         string // the error contains it; "" for no error
		unavailable bool
	}{
		{"passes", func(f *fakeEngine) { f.leaves["combinedOutput"] = "ok  \tservice\t1.2s" },
			true, "ok  \tservice", "", false},
		{"a test fails", func(f *fakeEngine) {
			f.fail = func(string) map[string]any {
				return execError([]string{"go", "test"}, 1, "--- FAIL: TestStore (0.00s)", "FAIL")
			}
		}, false, "--- FAIL: TestStore", "", false},
		{"the Go image cannot be pulled", func(f *fakeEngine) {
			f.fail = func(string) map[string]any { return apiError("pull access denied for golang") }
		}, false, "", "-go-image (WHITEMAGIC_GO_IMAGE)", false},
		{"the engine is gone", func(f *fakeEngine) { f.srv.Close() }, false, "", "lost the Dagger engine", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEngine(t)
			e := testEngine(t, f)
			tt.setup(f)
			res, err := e.Test(t.Context(), spec)
			if tt.err == "" && err != nil {
				t.Fatalf("Test() error = %v, want none", err)
			}
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Test() error = %v, want one containing %q", err, tt.err)
				}
				if got := errors.Is(err, engine.ErrUnavailable); got != tt.unavailable {
					t.Errorf("errors.Is(%v, engine.ErrUnavailable) = %v, want %v", err, got, tt.unavailable)
				}
				return
			}
			if res.Passed != tt.passed || !strings.Contains(res.Output, tt.output) {
				t.Errorf("Test() = %+v, want Passed %v and output containing %q", res, tt.passed, tt.output)
			}
		})
	}
}

func TestTestRunsVetAndRaceWithCaches(t *testing.T) {
	f := newFakeEngine(t)
	e := testEngine(t, f)
	if _, err := e.Test(t.Context(), engine.TestSpec{Dir: t.TempDir(), Packages: []string{"./a/...", "./b"}}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		field string
		args  map[string]string
	}{
		{"withExec", map[string]string{"args": `["go","vet","./a/...","./b"]`}},
		{"withExec", map[string]string{"args": `["go","test","-race","-count=1","./a/...","./b"]`}},
		{"from", map[string]string{"address": "golang:1.26.8-bookworm"}},
		{"cacheVolume", map[string]string{"key": "whitemagic-go-mod"}},
		{"cacheVolume", map[string]string{"key": "whitemagic-go-build"}},
		{"withEnvVariable", map[string]string{"name": "GOPROXY", "value": "off"}},
		{"withEnvVariable", map[string]string{"name": "CGO_ENABLED", "value": "1"}},
	} {
		if !f.called(c.field, c.args) {
			t.Errorf("no query calls %s%v; queries:\n%s", c.field, c.args, strings.Join(f.queries, "\n"))
		}
	}
}

func buildContext(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"Dockerfile":    "FROM scratch\n",
		".dockerignore": "# only the service\n*\n!service/\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuildFailures(t *testing.T) {
	spec := engine.BuildSpec{Dockerfile: "Dockerfile", Tag: "t:1",
		Args: map[string]string{"GO_IMAGE": "mirror.example/golang:1", "VERSION": "1.0.0"}}
	onBuild := func(e map[string]any) func(string) map[string]any {
		return func(q string) map[string]any {
			if strings.Contains(q, "dockerBuild") {
				return e
			}
			return nil
		}
	}
	tests := []struct {
		name        string
		setup       func(f *fakeEngine)
		finding     string // a *engine.BuildError whose Err contains it
		log         string // and whose Log contains it
		err         string // else an error containing it
		unavailable bool
	}{
		{"a RUN step fails", func(f *fakeEngine) {
			f.fail = onBuild(execError([]string{"/bin/sh", "-c", "go build ./service"}, 1,
				"", "service/broken.go:3:1: syntax error"))
		}, "go build ./service exited with code 1", "syntax error", "", false},
		{"the Dockerfile is refused", func(f *fakeEngine) {
			f.fail = onBuild(apiError("dockerfile parse error on line 3: unknown instruction: FORM"))
		}, "unknown instruction: FORM", "line 3", "", false},
		{"the base image cannot be pulled", func(f *fakeEngine) {
			f.fail = func(q string) map[string]any {
				if strings.Contains(q, `from(address:"mirror.example/golang:1")`) && !strings.Contains(q, "dockerBuild") {
					return apiError("failed to resolve mirror.example/golang:1: connection refused")
				}
				return nil
			}
		}, "", "", "-go-image (WHITEMAGIC_GO_IMAGE)", false},
		{"the engine is gone", func(f *fakeEngine) { f.srv.Close() }, "", "", "lost the Dagger engine", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEngine(t)
			e := testEngine(t, f)
			tt.setup(f)
			s := spec
			s.Context = buildContext(t)
			err := e.Build(t.Context(), s, filepath.Join(t.TempDir(), "image.tar"))
			var be *engine.BuildError
			if tt.finding != "" {
				if !errors.As(err, &be) {
					t.Fatalf("Build() error = %v, want a *engine.BuildError", err)
				}
				if !strings.Contains(be.Err.Error(), tt.finding) || !strings.Contains(be.Log, tt.log) {
					t.Errorf("Build() = BuildError{Err: %q, Log: %q}, want %q and %q in them", be.Err, be.Log, tt.finding, tt.log)
				}
				return
			}
			if err == nil || errors.As(err, &be) || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("Build() error = %v, want an engine error containing %q", err, tt.err)
			}
			if got := errors.Is(err, engine.ErrUnavailable); got != tt.unavailable {
				t.Errorf("errors.Is(%v, engine.ErrUnavailable) = %v, want %v", err, got, tt.unavailable)
			}
		})
	}
}

func TestBuildSendsIgnoredContextAndArgs(t *testing.T) {
	f := newFakeEngine(t)
	e := testEngine(t, f)
	spec := engine.BuildSpec{Context: buildContext(t), Dockerfile: "Dockerfile", Tag: "t:1",
		Args: map[string]string{"VERSION": "1.0.0", "CREATED": "now"}}
	e.Build(t.Context(), spec, filepath.Join(t.TempDir(), "image.tar")) // the fake cannot export
	for _, c := range []struct {
		field string
		args  map[string]string
	}{
		{"directory", map[string]string{"exclude": `["*","!service","!Dockerfile","!.dockerignore"]`}},
		{"dockerBuild", map[string]string{"dockerfile": "Dockerfile",
			"buildArgs": `[{name:"CREATED",value:"now"},{name:"VERSION",value:"1.0.0"}]`}},
	} {
		if !f.called(c.field, c.args) {
			t.Errorf("no query calls %s%v; queries:\n%s", c.field, c.args, strings.Join(f.queries, "\n"))
		}
	}
}

var callVar = regexp.MustCompile(`withEnvVariable\((?:name:"WHITEMAGIC_CALL", value:"([0-9a-f]+)"|value:"([0-9a-f]+)", name:"WHITEMAGIC_CALL")\)`)

func TestDockerRunsEveryTime(t *testing.T) {
	f := newFakeEngine(t)
	f.leaves["stdout"], f.leaves["stderr"] = "running 0", "a warning"
	e := testEngine(t, f)
	h := &host{e: e, cli: e.client.Container()}
	for range 2 {
		out, errOut, err := h.Docker(t.Context(), nil, "inspect", "--format", "{{.State.Status}}", "c1")
		if err != nil || string(out) != "running 0" || string(errOut) != "a warning" {
			t.Fatalf("Docker() = %q, %q, %v; want the command's output", out, errOut, err)
		}
	}
	nonces := map[string]bool{}
	for _, q := range f.queries {
		for _, m := range callVar.FindAllStringSubmatch(q, -1) {
			nonces[m[1]+m[2]] = true
		}
	}
	if len(nonces) != 2 {
		t.Errorf("two docker calls carried %d distinct WHITEMAGIC_CALL values, want 2 (else Dagger may serve a cached result)", len(nonces))
	}
}

func TestDockerFailure(t *testing.T) {
	f := newFakeEngine(t)
	f.fail = func(string) map[string]any {
		return execError([]string{"docker", "inspect", "gone"}, 1, "[]", "Error: No such object: gone")
	}
	e := testEngine(t, f)
	h := &host{e: e, cli: e.client.Container()}
	out, errOut, err := h.Docker(t.Context(), nil, "inspect", "gone")
	if err == nil || !strings.Contains(err.Error(), "docker inspect gone: exit status 1: Error: No such object: gone") {
		t.Errorf("Docker() error = %v, want the command, its exit status and stderr", err)
	}
	if string(out) != "[]" || string(errOut) != "Error: No such object: gone" {
		t.Errorf("Docker() output = %q, %q; want the failed command's own", out, errOut)
	}
	if errors.Is(err, engine.ErrUnavailable) {
		t.Errorf("a docker command that exits 1 is reported as a lost engine: %v", err)
	}
}

var stdinFile = regexp.MustCompile(`file\(path:"([^"]+)"\)`)

func TestDockerStdinIsByteExact(t *testing.T) {
	stdin := []byte{0x1f, 0x8b, 0x00, 0xff, 0xfe, 'x', '\n', 0x80}
	var staged []byte
	f := newFakeEngine(t)
	f.fail = func(q string) map[string]any {
		if m := stdinFile.FindStringSubmatch(q); m != nil && staged == nil {
			staged, _ = os.ReadFile(m[1])
		}
		return nil
	}
	e := testEngine(t, f)
	h := &host{e: e, cli: e.client.Container()}
	if _, _, err := h.Docker(t.Context(), bytes.NewReader(stdin), "cp", "-", "c1:/data"); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(staged, stdin) {
		t.Errorf("the engine was handed %x as standard input, want %x", staged, stdin)
	}
	if !f.called("withExec", map[string]string{"redirectStdin": stdinPath}) {
		t.Errorf("docker cp - did not read its standard input from %s", stdinPath)
	}
	if m := stdinFile.FindStringSubmatch(strings.Join(f.queries, "\n")); m != nil {
		if _, err := os.Stat(m[1]); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the staged standard input %s is still there after the call (%v)", m[1], err)
		}
	}
}
