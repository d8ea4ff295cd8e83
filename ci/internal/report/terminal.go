// Package report renders a pipeline result for people and machines.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// StageLine writes the one line printed as a stage finishes.
func StageLine(w io.Writer, s pipeline.StageResult) {
	fmt.Fprintf(w, "%-8s %-13s %8s  %s\n", strings.ToUpper(string(s.Status)), s.Name,
		s.Duration.Round(10*time.Millisecond), summary(s))
}

func summary(s pipeline.StageResult) string {
	switch n := len(s.Findings); {
	case s.Status == pipeline.Errored:
		first, _, _ := strings.Cut(s.Detail, "\n")
		return first
	case n == 1:
		return "1 finding"
	case n > 1:
		return fmt.Sprintf("%d findings", n)
	}
	return ""
}

// Terminal writes the findings of every stage, the details of failed stages, and a summary.
func Terminal(w io.Writer, r *pipeline.Result) {
	if f := r.Findings(); len(f) > 0 {
		fmt.Fprintf(w, "\nFindings:\n")
		for _, s := range r.Stages {
			for _, f := range s.Findings {
				fmt.Fprintf(w, "  %-7s %-10s %s: %s\n", f.Severity, f.Rule, f.Location, f.Message)
				if f.Fix != "" {
					fmt.Fprintf(w, "          fix: %s\n", f.Fix)
				}
			}
		}
	}
	for _, s := range r.Stages {
		if s.Status != pipeline.Passed && s.Status != pipeline.Skipped && s.Detail != "" {
			fmt.Fprintf(w, "\n%s (%s):\n%s\n", s.Name, s.Status, indent(s.Detail))
		}
	}
	fmt.Fprintf(w, "\n%s: %s in %s", verdict(r), r.Mode, r.Duration.Round(100*time.Millisecond))
	if r.Digest != "" {
		fmt.Fprintf(w, ", image %s", r.Digest)
	}
	if r.TimeToHealthy > 0 {
		fmt.Fprintf(w, ", first 200 on /health after %s", r.TimeToHealthy.Round(10*time.Millisecond))
	}
	fmt.Fprintln(w)
	for _, p := range r.Published {
		fmt.Fprintf(w, "published %s\n", p)
	}
}

func verdict(r *pipeline.Result) string {
	switch r.ExitCode() {
	case pipeline.ExitPassed:
		return "PASSED"
	case pipeline.ExitFailed:
		return "FAILED"
	case pipeline.ExitInterrupted:
		return "INTERRUPTED"
	}
	return "ERROR"
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
