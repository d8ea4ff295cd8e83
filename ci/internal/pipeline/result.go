package pipeline

import (
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
)

// Status is a stage's outcome.
type Status string

// The stage outcomes.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"  // a check failed
	Skipped Status = "skipped" // a stage it needs did not pass, or the mode does not run it
	Errored Status = "error"   // the engine or registry failed, or the run was interrupted
)

// Stage names, in the order reports list them.
const (
	StageLint     = "lint"
	StageTest     = "test"
	StageBuild    = "build"
	StageAudit    = "audit"
	StageHardened = "hardened-run"
	StagePublish  = "publish"
)

// StageNames lists the stages in report order.
var StageNames = []string{StageLint, StageTest, StageBuild, StageAudit, StageHardened, StagePublish}

// StageResult is what one stage did.
type StageResult struct {
	Name     string           `json:"name"`
	Status   Status           `json:"status"`
	Duration time.Duration    `json:"duration_ns"`
	Findings []checks.Finding `json:"findings"`
	// Detail is text a person needs to act: the last log lines of a failing container, the
	// output of a failing test, the cause of an engine error.
	Detail string `json:"detail,omitempty"`
}

// Result is the outcome of a whole run.
type Result struct {
	Mode   string        `json:"mode"`
	Engine string        `json:"engine"`
	Image  string        `json:"image"`
	Digest string        `json:"digest,omitempty"` // of the audited image
	Tags   []string      `json:"tags"`
	Stages []StageResult `json:"stages"`
	// Published lists the references pushed, each verified to carry Digest.
	Published []string `json:"published,omitempty"`
	// SBOM is the reference of the SBOM attached to the published image, if one was.
	SBOM string `json:"sbom,omitempty"`
	// TimeToHealthy is how long the hardened container took to answer 200 on /health.
	TimeToHealthy time.Duration `json:"time_to_first_200_ns,omitempty"`
	Interrupted   bool          `json:"interrupted,omitempty"`
	Duration      time.Duration `json:"duration_ns"`
}

// Exit codes of the pipeline.
const (
	ExitPassed      = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitEngine      = 3
	ExitInterrupted = 130
)

// ExitCode maps the result to the process's exit code: an engine error or interruption
// outranks a failed check, which outranks success.
func (r *Result) ExitCode() int {
	if r.Interrupted {
		return ExitInterrupted
	}
	code := ExitPassed
	for _, s := range r.Stages {
		switch s.Status {
		case Errored:
			return ExitEngine
		case Failed:
			code = ExitFailed
		}
	}
	return code
}

// Stage returns the named stage's result, or nil.
func (r *Result) Stage(name string) *StageResult {
	for i := range r.Stages {
		if r.Stages[i].Name == name {
			return &r.Stages[i]
		}
	}
	return nil
}

// Findings returns every stage's findings in stage order.
func (r *Result) Findings() []checks.Finding {
	var all []checks.Finding
	for _, s := range r.Stages {
		all = append(all, s.Findings...)
	}
	return all
}
