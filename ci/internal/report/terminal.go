package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// Terminal writes the report people read: a progress line per stage as it finishes, then a
// table of the stages, the findings grouped by stage, and the verdict. It is quiet by
// default: a finding's fix and refs and a stage's detail (a failing container's last log
// lines, a failing test's output) appear only for stages that failed or errored, and
// suppressed findings only as a count. Verbose shows all of it for every stage.
type Terminal struct {
	W       io.Writer
	Color   bool
	Verbose bool
	// Lookup finds a rule's refs; nil means checks.Lookup.
	Lookup func(id string) (checks.Rule, bool)
}

// StageLine writes, without colour, the line printed as a stage finishes.
func StageLine(w io.Writer, s pipeline.StageResult) { Terminal{W: w}.StageLine(s) }

// StageLine writes the line printed as a stage finishes: status, name, duration, summary.
func (t Terminal) StageLine(s pipeline.StageResult) {
	p := palette{t.Color}
	status := p.status(s.Status, fmt.Sprintf("%-8s", strings.ToUpper(string(s.Status))))
	line := fmt.Sprintf("%s %-13s %7s  %s", status, s.Name, stageDuration(s), clean(stageSummary(s)))
	fmt.Fprintln(t.W, strings.TrimRight(line, " "))
}

// Report writes the stage table, the findings by stage and the verdict.
func (t Terminal) Report(r *pipeline.Result) {
	t.table(r)
	for _, s := range r.Stages {
		t.stage(s)
	}
	t.verdict(r)
}

func (t Terminal) table(r *pipeline.Result) {
	p := palette{t.Color}
	width := len("STAGE")
	for _, s := range r.Stages {
		width = max(width, len(s.Name))
	}
	fmt.Fprintf(t.W, "\n%s\n", p.bold(fmt.Sprintf("%-*s  %-8s  %8s  %s", width, "STAGE", "STATUS",
		"DURATION", "SUMMARY")))
	for _, s := range r.Stages {
		line := fmt.Sprintf("%-*s  %s  %8s  %s", width, s.Name,
			p.status(s.Status, fmt.Sprintf("%-8s", s.Status)), stageDuration(s), clean(stageSummary(s)))
		fmt.Fprintln(t.W, strings.TrimRight(line, " "))
	}
}

// stage writes one stage's findings and detail, or nothing when it has none to show.
func (t Terminal) stage(s pipeline.StageResult) {
	p := palette{t.Color}
	full := t.Verbose || s.Status == pipeline.Failed || s.Status == pipeline.Errored
	var shown []checks.Finding
	for _, f := range s.Findings {
		if f.Suppressed == "" || t.Verbose {
			shown = append(shown, f)
		}
	}
	detail := full && strings.TrimSpace(s.Detail) != ""
	if len(shown) == 0 && !detail {
		return
	}

	fmt.Fprintf(t.W, "\n%s %s\n", p.bold(s.Name), p.status(s.Status, "("+string(s.Status)+")"))
	lookup := t.Lookup
	if lookup == nil {
		lookup = checks.Lookup
	}
	const pad = "           " // under the rule ID
	for _, f := range shown {
		fmt.Fprintf(t.W, "  %s  %-9s  %s  %s\n", p.severity(f.Severity, fmt.Sprintf("%-7s", f.Severity)),
			f.Rule, clean(f.Location.String()), indentRest(clean(f.Message), pad+"  "))
		if f.Suppressed != "" {
			by := ""
			if f.SuppressedBy != "" {
				by = " (" + clean(f.SuppressedBy) + ")"
			}
			fmt.Fprintf(t.W, "%s%s %s%s\n", pad, p.dim("suppressed:"), indentRest(clean(f.Suppressed), pad+"  "), by)
		}
		if !full {
			continue
		}
		if f.Fix != "" {
			fmt.Fprintf(t.W, "%s%s %s\n", pad, p.dim("fix: "), indentRest(clean(f.Fix), pad+"      "))
		}
		if r, ok := lookup(f.Rule); ok && len(r.Refs) > 0 {
			fmt.Fprintf(t.W, "%s%s %s\n", pad, p.dim("refs:"), strings.Join(r.Refs, ", "))
		}
	}
	if detail {
		fmt.Fprintf(t.W, "  %s\n%s\n", p.dim("detail:"), indent(clean(s.Detail), "    "))
	}
}

func (t Terminal) verdict(r *pipeline.Result) {
	p := palette{t.Color}
	outcome := Outcome(r)
	fmt.Fprintf(t.W, "\n%s: %s in %s", p.status(outcomeStatus(outcome), strings.ToUpper(outcome)),
		r.Mode, duration(r.Duration))
	if r.Digest != "" {
		fmt.Fprintf(t.W, ", image %s", r.Digest)
	}
	if r.TimeToHealthy > 0 {
		fmt.Fprintf(t.W, ", first 200 on /health after %s", duration(r.TimeToHealthy))
	}
	fmt.Fprintln(t.W)
	for _, ref := range r.Published {
		fmt.Fprintf(t.W, "published %s\n", ref)
	}
	if r.SBOM != "" {
		fmt.Fprintf(t.W, "sbom      %s\n", r.SBOM)
	}
}

// stageDuration is a stage's duration, or "-" for a stage that never ran.
func stageDuration(s pipeline.StageResult) string {
	if s.Status == pipeline.Skipped && s.Duration == 0 {
		return "-"
	}
	return duration(s.Duration)
}

// indent puts prefix before every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}

// indentRest puts prefix before every line of s but the first.
func indentRest(s, prefix string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+prefix)
}
