package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

// Publisher pushes an audited image and returns the digest the registry reports for it.
type Publisher interface {
	Publish(ctx context.Context, img v1.Image, refs []string) (string, error)
}

// Runner runs the stage graph on an engine.
type Runner struct {
	Engine    engine.Engine
	Publisher Publisher
	Config    Config
	// Progress, if set, is called as each stage finishes.
	Progress func(StageResult)
}

// run is the state one Run shares between its stages.
type run struct {
	*Runner
	tarball string
	tag     string
	img     v1.Image
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
		res.Stages[0] = StageResult{Name: StageLint, Status: Errored, Detail: err.Error()}
		return res
	}
	defer os.RemoveAll(dir)
	st := &run{Runner: r, tarball: filepath.Join(dir, "image.tar"),
		tag: "whitemagic-ci-" + r.Config.RunID + ":audit"}

	g, gctx := errgroup.WithContext(ctx)
	stage := func(i int, fn func(context.Context) ([]checks.Finding, string, error)) func() error {
		return func() error { return st.do(gctx, &res.Stages[i], fn) }
	}
	g.Go(stage(0, st.lint))
	g.Go(stage(1, st.test))
	g.Go(func() error {
		if err := st.do(gctx, &res.Stages[2], st.build); err != nil || res.Stages[2].Status != Passed {
			return err
		}
		inner, ictx := errgroup.WithContext(gctx)
		inner.Go(func() error { return st.do(ictx, &res.Stages[3], st.audit) })
		inner.Go(func() error { return st.do(ictx, &res.Stages[4], st.hardened) })
		return inner.Wait()
	})
	_ = g.Wait() // each stage recorded its own error

	res.TimeToHealthy = st.healthy
	if st.img != nil {
		if d, err := st.img.Digest(); err == nil {
			res.Digest = d.String()
		}
	}
	res.Interrupted = ctx.Err() != nil
	if r.Config.Mode == ModePublish && res.ExitCode() == ExitPassed {
		st.do(ctx, &res.Stages[5], func(ctx context.Context) ([]checks.Finding, string, error) {
			return st.publish(ctx, res)
		})
	}
	res.Duration = time.Since(start)
	return res
}

// do runs one stage into sr. A stage returns findings (a check failed when one reaches the
// threshold), a detail for people, and an error only for trouble that is not the source's
// fault; that error cancels the other stages.
func (st *run) do(ctx context.Context, sr *StageResult,
	fn func(context.Context) ([]checks.Finding, string, error)) error {
	start := time.Now()
	findings, detail, err := fn(ctx)
	sr.Duration = time.Since(start)
	sr.Findings, sr.Detail = findings, detail
	switch {
	case err != nil:
		sr.Status = Errored
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			sr.Detail = "interrupted"
		} else {
			sr.Detail = joinDetail(err.Error(), detail)
		}
	case checks.Failing(findings, st.Config.Threshold):
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
