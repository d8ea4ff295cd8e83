package report

import (
	"fmt"
	"strings"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// The outcomes of a run, as the reports and the GitHub output "result" name them.
const (
	OutcomePassed      = "passed"
	OutcomeFailed      = "failed"
	OutcomeError       = "error"
	OutcomeInterrupted = "interrupted"
)

// Outcome names a run's result by its exit code: an interruption outranks an engine error,
// which outranks a failed check.
func Outcome(r *pipeline.Result) string {
	switch r.ExitCode() {
	case pipeline.ExitPassed:
		return OutcomePassed
	case pipeline.ExitFailed:
		return OutcomeFailed
	case pipeline.ExitInterrupted:
		return OutcomeInterrupted
	}
	return OutcomeError
}

// outcomeStatus is the stage status whose colour an outcome takes.
func outcomeStatus(outcome string) pipeline.Status {
	switch outcome {
	case OutcomePassed:
		return pipeline.Passed
	case OutcomeFailed:
		return pipeline.Failed
	}
	return pipeline.Errored
}

// counts tallies findings. Suppressed findings are counted apart and not by severity: they
// do not fail a stage and the reports list them only on request.
type counts struct{ errors, warnings, info, suppressed int }

func countOf(fs []checks.Finding) counts {
	var c counts
	for _, f := range fs {
		switch {
		case f.Suppressed != "":
			c.suppressed++
		case f.Severity >= checks.Error:
			c.errors++
		case f.Severity == checks.Warning:
			c.warnings++
		default:
			c.info++
		}
	}
	return c
}

func (c counts) active() int { return c.errors + c.warnings + c.info }

// String writes "2 errors, 1 warning, 1 suppressed", leaving out what is zero.
func (c counts) String() string {
	var parts []string
	if c.errors > 0 {
		parts = append(parts, plural(c.errors, "error"))
	}
	if c.warnings > 0 {
		parts = append(parts, plural(c.warnings, "warning"))
	}
	if c.info > 0 {
		parts = append(parts, fmt.Sprintf("%d info", c.info))
	}
	if c.suppressed > 0 {
		parts = append(parts, fmt.Sprintf("%d suppressed", c.suppressed))
	}
	return strings.Join(parts, ", ")
}

// stageSummary is the one-line summary of a stage in the progress line and the table: the
// cause of an engine error, else the finding counts.
func stageSummary(s pipeline.StageResult) string {
	if s.Status == pipeline.Errored && s.Detail != "" {
		return firstLine(s.Detail)
	}
	return countOf(s.Findings).String()
}
