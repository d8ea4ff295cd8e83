package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/engine"
	"github.com/whitemagic/whitemagic/ci/internal/release"
)

// Publisher pushes an audited image and returns the digest the registry reports for it.
type Publisher interface {
	Publish(ctx context.Context, img v1.Image, refs []string) (string, error)
}

// Guard decides which of a release's tags may name an image's digest in a repository; see
// release.Guard, which implements it.
type Guard interface {
	Check(ctx context.Context, repo string, plan release.Plan, digest string) (release.Plan, []release.Held, error)
}

// Runner runs the stage graph on an engine.
type Runner struct {
	Engine    engine.Engine
	Publisher Publisher
	// Guard is asked before a release run publishes; it must be set in release mode.
	Guard Guard
	// AttachSBOM, if set, attaches the image's SBOM to the published image, named by
	// repository@digest, and returns the SBOM artifact's reference.
	AttachSBOM func(ctx context.Context, subject string, bom *cdx.BOM) (string, error)
	Config     Config
	// Progress, if set, is called as each stage finishes. Stages finish concurrently, so it
	// must be safe to call from several goroutines.
	Progress func(StageResult)

	// replace swaps stage functions by stage name; the gate's tests use it to decide each
	// stage's outcome without an engine.
	replace map[string]stageFunc
}

// stageFunc is one stage's work: findings (a check failed when one reaches the threshold), a
// detail for people, and an error only for trouble that is not the source's fault.
type stageFunc func(context.Context) ([]checks.Finding, string, error)

// run is the state one Run shares between its stages.
type run struct {
	*Runner
	outer   context.Context // the caller's context: its end is an interrupt
	tarball string
	tag     string
	img     v1.Image
	bom     *cdx.BOM
	healthy time.Duration
}

// Run executes every stage and returns the result. Failed checks never stop other stages;
// an engine error or ctx's cancellation stops them all, and the stages clean up after
// themselves before Run returns.
func (r *Runner) Run(ctx context.Context) *Result {
	start := time.Now()
	res := &Result{Mode: r.Config.Mode, Engine: r.Engine.Name(), Image: r.Config.Image,
		Tags: r.Config.Tags, Stages: make([]StageResult, len(StageNames))}
	for i, name := range StageNames {
		res.Stages[i] = StageResult{Name: name, Status: Skipped}
	}

	dir, err := os.MkdirTemp("", "whitemagic-ci-")
	if err != nil {
		res.Stages[0] = StageResult{Name: StageLint, Status: Errored,
			Detail: "making a work directory: " + err.Error()}
		return res
	}
	defer os.RemoveAll(dir)
	st := &run{Runner: r, outer: ctx, tarball: filepath.Join(dir, "image.tar"),
		tag: "whitemagic-ci-" + r.Config.RunID + ":audit"}

	g, gctx := errgroup.WithContext(ctx)
	stage := func(i int, fn stageFunc) func() error {
		return func() error { return st.do(gctx, &res.Stages[i], st.pick(StageNames[i], fn)) }
	}
	g.Go(stage(0, st.lint))
	g.Go(stage(1, st.test))
	g.Go(func() error {
		if err := stage(2, st.build)(); err != nil || res.Stages[2].Status != Passed {
			return err
		}
		// Audit and the hardened run both read the built image and need nothing else of
		// each other. Adding them to g from here is safe: this goroutine keeps g open.
		g.Go(stage(3, st.audit))
		g.Go(stage(4, st.hardened))
		return nil
	})
	_ = g.Wait() // each stage recorded its own error

	res.TimeToHealthy = st.healthy
	if st.img != nil {
		if d, err := st.img.Digest(); err == nil {
			res.Digest = d.String()
		}
	}
	res.Interrupted = ctx.Err() != nil
	if r.Config.Publishes() && res.ExitCode() == ExitPassed {
		st.do(ctx, &res.Stages[5], st.pick(StagePublish, func(ctx context.Context) ([]checks.Finding, string, error) {
			return st.publish(ctx, res)
		}))
		res.Interrupted = ctx.Err() != nil
	}
	res.Duration = time.Since(start)
	return res
}

// pick returns the stage function to run for name: the real one unless a test replaced it.
func (st *run) pick(name string, fn stageFunc) stageFunc {
	if f, ok := st.replace[name]; ok {
		return f
	}
	return fn
}

// do runs one stage into sr and returns the stage's error, which cancels the other stages.
func (st *run) do(ctx context.Context, sr *StageResult, fn stageFunc) error {
	start := time.Now()
	findings, detail, err := fn(ctx)
	sr.Duration = time.Since(start)
	sr.Findings, sr.Detail = st.Config.Policy.Apply(findings), detail
	switch {
	case err != nil:
		sr.Status = Errored
		switch {
		case st.outer.Err() != nil:
			sr.Detail = "interrupted"
		case ctx.Err() != nil:
			// Cancelled because another stage failed: errgroup's cause is that stage's error,
			// which is what err may carry, so ctx decides, not err.
			sr.Detail = "cancelled: another stage could not run"
		default:
			sr.Detail = joinDetail(err.Error(), detail)
		}
	case checks.Failing(sr.Findings, st.Config.Threshold):
		sr.Status = Failed
	default:
		sr.Status = Passed
	}
	if st.Progress != nil {
		st.Progress(*sr)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", sr.Name, err)
	}
	return nil
}

func joinDetail(a, b string) string {
	if b == "" {
		return a
	}
	return a + "\n" + b
}
