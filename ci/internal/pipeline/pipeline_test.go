package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

// fakeEngine builds a random image and refuses everything else; the gate's tests replace the
// stages that would need more.
type fakeEngine struct{ img v1.Image }

func (e *fakeEngine) Name() string { return "fake" }
func (e *fakeEngine) Build(ctx context.Context, spec engine.BuildSpec, dst string) error {
	if e.img == nil {
		return errors.New("fake engine: no image to build")
	}
	return tarball.WriteToFile(dst, nil, e.img)
}
func (e *fakeEngine) Test(context.Context, engine.TestSpec) (engine.TestResult, error) {
	return engine.TestResult{}, errors.New("fake engine: no tests")
}
func (e *fakeEngine) Host(context.Context, string, string) (engine.Host, error) {
	return nil, errors.New("fake engine: no host")
}
func (e *fakeEngine) Close() error { return nil }

// outcome is what a replaced stage does.
type outcome int

const (
	pass outcome = iota
	fail
	broken // an engine error
)

func (o outcome) String() string { return [...]string{"pass", "fail", "error"}[o] }

var errEngine = fmt.Errorf("%w: the daemon went away", engine.ErrUnavailable)

// fixed returns a stage with outcome o that counts its calls.
func fixed(o outcome, calls *atomic.Int32) stageFunc {
	return func(ctx context.Context) ([]checks.Finding, string, error) {
		calls.Add(1)
		switch o {
		case fail:
			return []checks.Finding{{Rule: "WM-TEST", Severity: checks.Error, Message: "fails"}}, "", nil
		case broken:
			return nil, "", errEngine
		}
		return nil, "", nil
	}
}

func newRunner(mode string) *Runner {
	return &Runner{
		Engine: &fakeEngine{},
		Config: Config{Mode: mode, Image: "whitemagic", Tags: []string{"dev"}, RunID: "test",
			Threshold: checks.Error},
	}
}

// TestGate runs every combination of outcomes of the five checking stages in both modes.
func TestGate(t *testing.T) {
	t.Parallel()
	checking := []string{StageLint, StageTest, StageBuild, StageAudit, StageHardened}
	combos := 1
	for range checking {
		combos *= 3
	}
	for _, mode := range []string{ModeCheck, ModePublish} {
		for n := range combos {
			outcomes := make(map[string]outcome, len(checking))
			var names []string
			for i, k := 0, n; i < len(checking); i, k = i+1, k/3 {
				outcomes[checking[i]] = outcome(k % 3)
				names = append(names, checking[i]+"="+outcome(k%3).String())
			}
			t.Run(mode+"/"+strings.Join(names, ","), func(t *testing.T) {
				t.Parallel()
				checkGate(t, mode, outcomes)
			})
		}
	}
}

func checkGate(t *testing.T, mode string, outcomes map[string]outcome) {
	t.Helper()
	r := newRunner(mode)
	calls := map[string]*atomic.Int32{}
	r.replace = map[string]stageFunc{}
	for _, name := range StageNames {
		calls[name] = &atomic.Int32{}
		r.replace[name] = fixed(outcomes[name], calls[name]) // publish: pass
	}
	res := r.Run(context.Background())

	// Audit and the hardened run only happen after a build that passed.
	built := outcomes[StageBuild] == pass
	worst := pass
	for name, o := range outcomes {
		if built || (name != StageAudit && name != StageHardened) {
			worst = max(worst, o)
		}
	}
	for _, name := range []string{StageAudit, StageHardened} {
		if !built && res.Stage(name).Status != Skipped {
			t.Errorf("%s = %s after the build did not pass, want skipped", name, res.Stage(name).Status)
		}
	}
	wantPublish := mode == ModePublish && worst == pass
	if got := calls[StagePublish].Load() == 1; got != wantPublish {
		t.Errorf("published = %v, want %v", got, wantPublish)
	}
	if !wantPublish && res.Stage(StagePublish).Status != Skipped {
		t.Errorf("publish = %s, want skipped", res.Stage(StagePublish).Status)
	}
	// With no engine error every reachable stage ran to its own verdict: a failed check
	// cancels nothing.
	if worst != broken {
		for _, name := range []string{StageLint, StageTest, StageBuild} {
			if calls[name].Load() != 1 {
				t.Errorf("%s ran %d times, want 1", name, calls[name].Load())
			}
		}
		if built && (calls[StageAudit].Load() != 1 || calls[StageHardened].Load() != 1) {
			t.Errorf("audit and hardened-run ran %d and %d times, want 1 each",
				calls[StageAudit].Load(), calls[StageHardened].Load())
		}
	}
	want := map[outcome]int{pass: ExitPassed, fail: ExitFailed, broken: ExitEngine}[worst]
	if got := res.ExitCode(); got != want {
		t.Errorf("ExitCode() = %d, want %d (stages %v)", got, want, statuses(res))
	}
}

func statuses(r *Result) []string {
	var s []string
	for _, st := range r.Stages {
		s = append(s, st.Name+"="+string(st.Status))
	}
	return s
}

// blockUntilCancelled is a stage that runs until its context ends, and fails the test if that
// never happens.
func blockUntilCancelled(t *testing.T, started chan<- struct{}) stageFunc {
	return func(ctx context.Context) ([]checks.Finding, string, error) {
		if started != nil {
			close(started)
		}
		select {
		case <-ctx.Done():
			return nil, "", ctx.Err()
		case <-time.After(30 * time.Second):
			t.Error("the stage was never cancelled")
			return nil, "", nil
		}
	}
}

func TestFailedCheckCancelsNothing(t *testing.T) {
	t.Parallel()
	r := newRunner(ModeCheck)
	lintDone := make(chan struct{})
	var testSawCancel atomic.Bool
	r.replace = map[string]stageFunc{
		StageLint: func(context.Context) ([]checks.Finding, string, error) {
			defer close(lintDone)
			return []checks.Finding{{Rule: "WM-TEST", Severity: checks.Error}}, "", nil
		},
		StageTest: func(ctx context.Context) ([]checks.Finding, string, error) {
			<-lintDone
			time.Sleep(10 * time.Millisecond) // let a wrong cancellation land
			testSawCancel.Store(ctx.Err() != nil)
			return nil, "", nil
		},
		StageBuild: fixed(fail, &atomic.Int32{}),
	}
	res := r.Run(context.Background())
	if testSawCancel.Load() {
		t.Error("the test stage's context was cancelled by a failed lint check")
	}
	if got := res.Stage(StageTest).Status; got != Passed {
		t.Errorf("test = %s, want passed", got)
	}
	if got := res.ExitCode(); got != ExitFailed {
		t.Errorf("ExitCode() = %d, want %d", got, ExitFailed)
	}
}

func TestEngineErrorCancelsTheOthers(t *testing.T) {
	t.Parallel()
	r := newRunner(ModePublish)
	var published atomic.Int32
	started := make(chan struct{})
	r.replace = map[string]stageFunc{
		StageLint: func(context.Context) ([]checks.Finding, string, error) {
			<-started
			return nil, "", errEngine
		},
		StageTest:    blockUntilCancelled(t, started),
		StageBuild:   blockUntilCancelled(t, nil),
		StagePublish: fixed(pass, &published),
	}
	res := r.Run(context.Background())
	for _, name := range []string{StageTest, StageBuild} {
		s := res.Stage(name)
		if s.Status != Errored || !strings.Contains(s.Detail, "cancelled") {
			t.Errorf("%s = %s %q, want error with a cancellation detail", name, s.Status, s.Detail)
		}
	}
	if d := res.Stage(StageLint).Detail; !strings.Contains(d, "daemon went away") {
		t.Errorf("lint detail = %q, want the engine error", d)
	}
	if published.Load() != 0 || res.ExitCode() != ExitEngine {
		t.Errorf("published %d times, exit %d; want 0 and %d", published.Load(), res.ExitCode(), ExitEngine)
	}
}

func TestInterrupt(t *testing.T) {
	t.Parallel()
	r := newRunner(ModePublish)
	ctx, cancel := context.WithCancel(context.Background())
	var published atomic.Int32
	started := make(chan struct{})
	r.replace = map[string]stageFunc{
		StageLint:     fixed(pass, &atomic.Int32{}),
		StageTest:     fixed(pass, &atomic.Int32{}),
		StageBuild:    fixed(pass, &atomic.Int32{}),
		StageAudit:    fixed(pass, &atomic.Int32{}),
		StageHardened: blockUntilCancelled(t, started),
		StagePublish:  fixed(pass, &published),
	}
	go func() { <-started; cancel() }()
	res := r.Run(ctx)
	if !res.Interrupted || res.ExitCode() != ExitInterrupted {
		t.Errorf("Interrupted = %v, exit %d; want true, %d", res.Interrupted, res.ExitCode(), ExitInterrupted)
	}
	if d := res.Stage(StageHardened).Detail; d != "interrupted" {
		t.Errorf("hardened-run detail = %q, want interrupted", d)
	}
	if published.Load() != 0 {
		t.Error("an interrupted run published")
	}
}

// fakePublisher records what it was asked to push and reports a digest.
type fakePublisher struct {
	mu     sync.Mutex
	refs   []string
	digest string // reported; empty means the image's own
	err    error
}

func (p *fakePublisher) Publish(ctx context.Context, img v1.Image, refs []string) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refs = append(p.refs, refs...)
	if p.err != nil {
		return "", p.err
	}
	if p.digest != "" {
		return p.digest, nil
	}
	d, err := img.Digest()
	return d.String(), err
}

func TestPublishVerifiesTheAuditedDigest(t *testing.T) {
	t.Parallel()
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	// The audit reads, and publishing pushes, the built image rewritten as annotated OCI.
	audited, err := toOCI(img)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := audited.Digest()
	tests := []struct {
		name       string
		pub        *fakePublisher
		wantStatus Status
		wantRefs   int
	}{
		{"same digest", &fakePublisher{}, Passed, 2},
		{"other digest", &fakePublisher{digest: "sha256:" + strings.Repeat("0", 64)}, Failed, 0},
		{"registry down", &fakePublisher{err: errors.New("registry: dial tcp 127.0.0.1:1: connection refused")}, Errored, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(ModePublish)
			r.Engine = &fakeEngine{img: img}
			r.Publisher = tt.pub
			r.Config.Registry = "127.0.0.1:5000"
			r.Config.Tags = []string{"1.2.3", "edge"}
			r.replace = map[string]stageFunc{
				StageLint: fixed(pass, &atomic.Int32{}), StageTest: fixed(pass, &atomic.Int32{}),
				StageAudit: fixed(pass, &atomic.Int32{}), StageHardened: fixed(pass, &atomic.Int32{}),
			}
			res := r.Run(context.Background())
			if res.Digest != want.String() {
				t.Errorf("Digest = %s, want the audited image's %s", res.Digest, want)
			}
			s := res.Stage(StagePublish)
			if s.Status != tt.wantStatus || len(res.Published) != tt.wantRefs {
				t.Errorf("publish = %s with %d refs %v, want %s with %d", s.Status, len(res.Published),
					res.Published, tt.wantStatus, tt.wantRefs)
			}
			if got := tt.pub.refs; len(got) != 2 || got[0] != "127.0.0.1:5000/whitemagic:1.2.3" {
				t.Errorf("pushed refs = %v, want 127.0.0.1:5000/whitemagic:1.2.3 and :edge", got)
			}
			if tt.wantStatus != Passed && !checksHave(s.Findings, "WM-PL-004") {
				t.Errorf("publish findings = %v, want WM-PL-004", s.Findings)
			}
		})
	}
}

func checksHave(fs []checks.Finding, id string) bool {
	for _, f := range fs {
		if f.Rule == id {
			return true
		}
	}
	return false
}
