package report

import (
	"errors"
	"io"
	"sync"

	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// Reporter writes every report of one run. Create it before printing anything, so that in
// GitHub Actions the secrets are masked first; pass StageFinished to the pipeline as its
// progress hook; call Finish once with the result.
type Reporter struct {
	o      Options
	term   Terminal
	gh     *github // nil outside GitHub Actions
	mu     sync.Mutex
	closed bool
}

// New returns the reporter for a run. Inside GitHub Actions it masks
// WHITEMAGIC_REGISTRY_PASSWORD, GITHUB_TOKEN and o.Secrets at once.
func New(o Options) *Reporter {
	o = o.withDefaults()
	r := &Reporter{o: o, term: Terminal{W: o.Out, Color: o.Color, Verbose: o.Verbose, Lookup: o.Lookup},
		gh: newGitHub(o.Out, o.Getenv)}
	if r.gh != nil {
		r.gh.mask(append([]string{o.Getenv("WHITEMAGIC_REGISTRY_PASSWORD"), o.Getenv("GITHUB_TOKEN")},
			o.Secrets...))
	}
	return r
}

// StageFinished reports a stage as it finishes: its progress line, or in GitHub Actions a
// log group holding the stage's findings and detail. Stages finish concurrently; it is safe
// to call from any goroutine.
func (r *Reporter) StageFinished(s pipeline.StageResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gh == nil {
		r.term.StageLine(s)
		return
	}
	full := r.term
	full.Verbose = true
	r.gh.group(s, func(w io.Writer) {
		full.W = w
		full.StageLine(s)
		full.stage(s)
	})
}

// Finish writes the terminal report, the JSON and SARIF files asked for, and in GitHub
// Actions the annotations, step summary and outputs. It writes every report it can and
// returns the errors of those it could not; the terminal report always comes first, so the
// result is on screen even when a file cannot be written.
func (r *Reporter) Finish(res *pipeline.Result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errors.New("report: Finish called twice")
	}
	r.closed = true

	if r.gh != nil {
		t := r.term
		t.W = r.gh.out
		r.gh.disarmed(func() { t.Report(res) })
	} else {
		r.term.Report(res)
	}

	var errs []error
	if r.o.JSONPath != "" {
		errs = append(errs, writeFile(r.o.JSONPath, func(w io.Writer) error { return JSON(w, res, r.o) }))
	}
	if r.o.SARIFPath != "" {
		errs = append(errs, writeFile(r.o.SARIFPath, func(w io.Writer) error { return SARIF(w, res, r.o) }))
	}
	if r.gh != nil {
		r.gh.annotate(res, r.o)
		errs = append(errs, r.gh.summary(Markdown(res, r.o)), r.gh.outputs(res), r.gh.err())
	}
	return errors.Join(errs...)
}
