package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/hardened"
	"github.com/whitemagic/whitemagic/ci/internal/sbom"
	"github.com/whitemagic/whitemagic/internal/testenv"
)

// The end-to-end tests run the pipeline's binary as users do, against the real Docker daemon
// and a real registry on 127.0.0.1, on copies of this repository's source with one fault
// injected each (ci/testdata/faults/*/case.json).

var (
	ciOnce sync.Once
	ciBin  string
	ciErr  error
	// slots bounds how many pipelines run at once: each builds, tests and runs containers,
	// and the machines this runs on have two cores.
	slots = make(chan struct{}, 2)
)

// pipelineBinary builds this command once per test binary.
func pipelineBinary(t *testing.T) string {
	t.Helper()
	ciOnce.Do(func() {
		dir, err := os.MkdirTemp("", "whitemagic-e2e-bin-")
		if err != nil {
			ciErr = err
			return
		}
		ciBin = filepath.Join(dir, "ci")
		out, err := exec.Command("go", "build", "-o", ciBin, ".").CombinedOutput()
		if err != nil {
			ciErr = &buildErr{err, out}
		}
	})
	if ciErr != nil {
		t.Fatalf("building the pipeline: %v", ciErr)
	}
	return ciBin
}

type buildErr struct {
	err error
	out []byte
}

func (e *buildErr) Error() string { return e.err.Error() + ": " + string(e.out) }

// faultCase is one fixture of ci/testdata/faults: how to break a copy of the source, and what
// the pipeline must say about it.
type faultCase struct {
	About string   `json:"about"`
	Args  []string `json:"args"`
	// Remove lists directories of the source to delete before files/ is copied over it.
	Remove []string `json:"remove"`
	Edits  []struct {
		File, Old, New string
	} `json:"edits"`
	// RegistryDown publishes to an address nothing listens on.
	RegistryDown bool `json:"registry_down"`
	Exit         int  `json:"exit"`
	// Rules must all appear among the findings.
	Rules []string `json:"rules"`
}

// sourceCopy copies what the pipeline reads of this repository into a fresh directory.
func sourceCopy(t *testing.T) string {
	t.Helper()
	root := testenv.RepoRoot(t)
	dst := t.TempDir()
	for _, p := range []string{"go.mod", "go.sum", "Dockerfile", ".dockerignore", "docker-compose.yml", "service"} {
		if err := copyTree(filepath.Join(root, p), filepath.Join(dst, p)); err != nil {
			t.Fatalf("copying the source: %v", err)
		}
	}
	return dst
}

func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// applyFault breaks the source copy at dir as the fixture says.
func applyFault(t *testing.T, dir, fixture string, c faultCase) {
	t.Helper()
	for _, r := range c.Remove {
		if err := os.RemoveAll(filepath.Join(dir, r)); err != nil {
			t.Fatal(err)
		}
	}
	if files := filepath.Join(fixture, "files"); exists(files) {
		if err := copyTree(files, dir); err != nil {
			t.Fatalf("copying %s: %v", files, err)
		}
	}
	for _, e := range c.Edits {
		p := filepath.Join(dir, e.File)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(e.Old)) {
			t.Fatalf("fixture %s: %s does not contain %q: update the fixture", fixture, e.File, e.Old)
		}
		b = bytes.Replace(b, []byte(e.Old), []byte(e.New), 1)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// pipelineRun is one run of the pipeline's binary.
type pipelineRun struct {
	runID  string
	args   []string
	dir    string
	stdout lockedBuffer
	stderr lockedBuffer
	cmd    *exec.Cmd
}

func newRun(t *testing.T, engine, dir string, args ...string) *pipelineRun {
	t.Helper()
	r := &pipelineRun{runID: strings.TrimPrefix(testenv.UniqueName("e2e"), "e2e-"), dir: dir}
	r.args = append(append([]string{}, args...), "-source", dir, "-engine", engine)
	r.cmd = exec.Command(pipelineBinary(t), r.args...)
	r.cmd.Env = append(os.Environ(), "WHITEMAGIC_RUN_ID="+r.runID, "DOCKER="+testenv.DockerBin())
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	return r
}

// wait waits for the run's end, bounded, and returns its exit code.
func (r *pipelineRun) wait(t *testing.T) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case err := <-done:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		} else if err != nil {
			t.Fatalf("running the pipeline: %v", err)
		}
		return 0
	case <-time.After(15 * time.Minute):
		r.cmd.Process.Kill()
		t.Fatalf("the pipeline did not finish in 15 minutes; output so far:\n%s", r.output())
		return -1
	}
}

func (r *pipelineRun) output() string { return r.stdout.String() + r.stderr.String() }

// lockedBuffer is a buffer the test may read while the pipeline's process writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// leftovers lists the containers, volumes and networks the run left behind on the daemon.
func leftovers(t *testing.T, runID string) []string {
	t.Helper()
	filter := "label=" + hardened.Label + "=" + runID
	var left []string
	for _, what := range [][]string{
		{"ps", "--all", "--quiet", "--filter", filter},
		{"volume", "ls", "--quiet", "--filter", filter},
		{"network", "ls", "--quiet", "--filter", filter},
	} {
		if out := testenv.Docker(t, what...); out != "" {
			left = append(left, what[0]+": "+strings.ReplaceAll(out, "\n", " "))
		}
	}
	return left
}

var findingRule = regexp.MustCompile(`\b(WM-[A-Z]{2}-\d{3})\b`)

// rulesIn returns the rule IDs the run's output names.
func rulesIn(out string) []string {
	var ids []string
	for _, m := range findingRule.FindAllStringSubmatch(out, -1) {
		if !slices.Contains(ids, m[1]) {
			ids = append(ids, m[1])
		}
	}
	slices.Sort(ids)
	return ids
}

// engines lists the engines the end-to-end scenarios run on: the Docker daemon always, and
// Dagger when the environment points at an engine (a `dagger run` session, a runner, or a
// dagger CLI on PATH). Without one the Dagger cases are skipped, and the log says so.
func engines(t *testing.T) []string {
	t.Helper()
	found, ok := daggerConfigured(os.Getenv, exec.LookPath)
	if !ok {
		t.Log("Dagger scenarios skipped: no Dagger engine is configured (no dagger run session, " +
			"no _EXPERIMENTAL_DAGGER_RUNNER_HOST or _EXPERIMENTAL_DAGGER_CLI_BIN, no dagger CLI on PATH); see docs/dagger.md")
		return []string{"docker"}
	}
	t.Logf("Dagger scenarios run too, on %s", found)
	return []string{"docker", "dagger"}
}

func TestEndToEndHappyPathPublishes(t *testing.T) {
	testenv.RequireDocker(t)
	for _, eng := range engines(t) {
		t.Run(eng, func(t *testing.T) {
			slots <- struct{}{}
			defer func() { <-slots }()
			reg := testenv.Registry(t)
			repo := testenv.UniqueName("e2e") + "/whitemagic"
			r := newRun(t, eng, sourceCopy(t), "publish", "-registry", reg, "-image", repo, "-tags", "1.0.0,edge")
			if err := r.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			code := r.wait(t)
			out := r.output()
			if code != 0 {
				t.Fatalf("exit code = %d, want 0; output:\n%s", code, out)
			}
			audited := regexp.MustCompile(`image (sha256:[0-9a-f]{64})`).FindStringSubmatch(out)
			if audited == nil {
				t.Fatalf("the output names no audited digest:\n%s", out)
			}
			if tags, want := imageTags(t, reg, repo), []string{"1.0.0", "edge"}; !slices.Equal(tags, want) {
				t.Errorf("registry tags = %v, want %v", tags, want)
			}
			// Publishing attaches the SBOM to the audited digest.
			if boms, err := sbom.Fetch(t.Context(), reg+"/"+repo+"@"+audited[1], nil); err != nil || len(boms) != 1 {
				t.Errorf("SBOMs attached to %s: %d, %v; want 1", audited[1], len(boms), err)
			}
			if !strings.Contains(out, "sbom      "+reg+"/"+repo+"@sha256:") {
				t.Errorf("the output names no attached SBOM:\n%s", out)
			}
			for _, tag := range []string{"1.0.0", "edge"} {
				ref := reg + "/" + repo + ":" + tag
				if got := digestOf(t, reg, repo, tag); got != audited[1] {
					t.Errorf("%s has digest %s, want the audited %s", ref, got, audited[1])
				}
				if !strings.Contains(out, "published "+ref+"@"+audited[1]) {
					t.Errorf("the output does not report publishing %s@%s:\n%s", ref, audited[1], out)
				}
			}
			if left := leftovers(t, r.runID); len(left) > 0 {
				t.Errorf("the run left behind %v", left)
			}
		})
	}
}

func TestEndToEndFaults(t *testing.T) {
	testenv.RequireDocker(t)
	fixtures, err := filepath.Glob(filepath.Join("testdata", "faults", "*", "case.json"))
	if err != nil || len(fixtures) == 0 {
		t.Fatalf("no fault fixtures under testdata/faults (%v)", err)
	}
	for _, eng := range engines(t) {
		for _, f := range fixtures {
			fixture := filepath.Dir(f)
			t.Run(eng+"/"+filepath.Base(fixture), func(t *testing.T) {
				t.Parallel()
				runFault(t, eng, fixture)
			})
		}
	}
}

func runFault(t *testing.T, eng, fixture string) {
	var c faultCase
	b, err := os.ReadFile(filepath.Join(fixture, "case.json"))
	if err == nil {
		err = json.Unmarshal(b, &c)
	}
	if err != nil {
		t.Fatalf("reading the fixture: %v", err)
	}
	slots <- struct{}{}
	defer func() { <-slots }()
	t.Log(c.About)

	dir := sourceCopy(t)
	applyFault(t, dir, fixture, c)
	reg := testenv.Registry(t)
	target := reg
	if c.RegistryDown {
		target = testenv.ClosedPort(t)
	}
	repo := testenv.UniqueName("e2e-"+filepath.Base(fixture)) + "/whitemagic"
	args := append([]string{"publish", "-registry", target, "-image", repo, "-health-timeout", "10s"}, c.Args...)
	r := newRun(t, eng, dir, args...)
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	code := r.wait(t)
	out := r.output()

	if code != c.Exit {
		t.Errorf("exit code = %d, want %d", code, c.Exit)
	}
	got := rulesIn(out)
	for _, id := range c.Rules {
		if !slices.Contains(got, id) {
			t.Errorf("findings %v lack %s", got, id)
		}
	}
	if tags := testenv.Tags(t, reg, repo); len(tags) > 0 {
		t.Errorf("the registry holds %s:%v after a failed run, want nothing", repo, tags)
	}
	if left := leftovers(t, r.runID); len(left) > 0 {
		t.Errorf("the run left behind %v", left)
	}
	if t.Failed() {
		t.Logf("pipeline output:\n%s", out)
	}
}

// TestEndToEndInterrupt sends SIGINT while the hardened container runs: the pipeline must
// stop, say so, remove what it started and publish nothing.
func TestEndToEndInterrupt(t *testing.T) {
	testenv.RequireDocker(t)
	for _, eng := range engines(t) {
		t.Run(eng, func(t *testing.T) {
			slots <- struct{}{}
			defer func() { <-slots }()
			reg := testenv.Registry(t)
			repo := testenv.UniqueName("e2e-sigint") + "/whitemagic"
			r := newRun(t, eng, sourceCopy(t), "publish", "-registry", reg, "-image", repo)
			if err := r.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if !hardenedRunStarted(t, eng, r, 10*time.Minute) {
				r.cmd.Process.Kill()
				t.Fatalf("the hardened run did not start; output:\n%s", r.output())
			}
			if err := r.cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			code := r.wait(t)
			out := r.output()
			if code != 130 {
				t.Errorf("exit code after SIGINT = %d, want 130", code)
			}
			if !strings.Contains(out, "INTERRUPTED") {
				t.Errorf("the output does not say the run was interrupted:\n%s", out)
			}
			if left := leftovers(t, r.runID); len(left) > 0 {
				t.Errorf("the interrupted run left behind %v", left)
			}
			if tags := testenv.Tags(t, reg, repo); len(tags) > 0 {
				t.Errorf("an interrupted run published %v", tags)
			}
		})
	}
}

// hardenedRunStarted waits until the run's hardened stage is under way. On the Docker engine
// that is when a container of the run exists on the daemon. On Dagger the container lives in
// a Docker daemon inside the engine, out of the test's sight, so it is when the audit, which
// takes well under a second beside the hardened run's several, has reported.
func hardenedRunStarted(t *testing.T, eng string, r *pipelineRun, timeout time.Duration) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	for ctx.Err() == nil {
		if eng == "dagger" {
			if strings.Contains(r.stdout.String(), "PASSED   audit") {
				return true
			}
		} else if out, err := testenv.DockerErr("ps", "--quiet", "--filter", "label="+hardened.Label+"="+r.runID); err == nil && out != "" {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}
