package report

import (
	"fmt"
	"strings"

	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// maxSummaryFindings bounds the findings table of the step summary, which GitHub caps at
// 1 MiB; the JSON and SARIF reports always carry every finding.
const maxSummaryFindings = 200

// Markdown writes the run as the GitHub step summary: the verdict, the image, digest, tags
// and published references, a table of the stages with their durations, the findings that
// are not suppressed, and the detail of each stage that did not pass.
func Markdown(r *pipeline.Result, o Options) string {
	o = o.withDefaults()
	var b strings.Builder
	outcome := Outcome(r)
	fmt.Fprintf(&b, "## whitemagic %s: %s\n\n", cell(r.Mode), strings.ToUpper(outcome))

	fmt.Fprintf(&b, "| | |\n|---|---|\n")
	fmt.Fprintf(&b, "| image | %s |\n", code(imageName(r)))
	if r.Digest != "" {
		fmt.Fprintf(&b, "| digest | %s |\n", code(r.Digest))
	}
	if len(r.Tags) > 0 {
		fmt.Fprintf(&b, "| tags | %s |\n", codes(r.Tags))
	}
	if len(r.Published) > 0 {
		fmt.Fprintf(&b, "| published | %s |\n", codes(r.Published))
	}
	if r.SBOM != "" {
		fmt.Fprintf(&b, "| sbom | %s |\n", code(r.SBOM))
	}
	fmt.Fprintf(&b, "| engine | %s |\n", cell(r.Engine))
	fmt.Fprintf(&b, "| duration | %s |\n", duration(r.Duration))
	if r.TimeToHealthy > 0 {
		fmt.Fprintf(&b, "| first 200 on /health | %s |\n", duration(r.TimeToHealthy))
	}

	fmt.Fprintf(&b, "\n### Stages\n\n| stage | status | duration | summary |\n|---|---|---:|---|\n")
	for _, s := range r.Stages {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", cell(s.Name), s.Status, stageDuration(s),
			cell(stageSummary(s)))
	}

	b.WriteString(o.findingsTable(r))
	for _, s := range r.Stages {
		if s.Status == pipeline.Passed || s.Status == pipeline.Skipped || strings.TrimSpace(s.Detail) == "" {
			continue
		}
		fmt.Fprintf(&b, "\n<details><summary>%s detail</summary>\n\n%s\n</details>\n",
			cell(s.Name), fence(s.Detail))
	}
	return b.String()
}

func (o Options) findingsTable(r *pipeline.Result) string {
	var b strings.Builder
	n := 0
	for _, s := range r.Stages {
		for _, f := range s.Findings {
			if f.Suppressed != "" {
				continue
			}
			if n == 0 {
				fmt.Fprintf(&b, "\n### Findings\n\n| severity | rule | stage | location | message |\n|---|---|---|---|---|\n")
			}
			if n++; n > maxSummaryFindings {
				continue
			}
			fmt.Fprintf(&b, "| %s | %s %s | %s | %s | %s |\n", f.Severity, code(f.Rule),
				cell(o.ruleOf(f).Title), s.Name, code(f.Location.String()), cell(f.Message))
		}
	}
	if n > maxSummaryFindings {
		fmt.Fprintf(&b, "\n%d more findings are in the JSON and SARIF reports.\n", n-maxSummaryFindings)
	}
	if c := countOf(r.Findings()); c.suppressed > 0 {
		fmt.Fprintf(&b, "\n%s not shown.\n", plural(c.suppressed, "suppressed finding"))
	}
	return b.String()
}

// cell makes text safe inside a Markdown table cell: one line, pipes escaped, HTML and
// Markdown punctuation that could turn into markup neutralised.
func cell(s string) string {
	s = clean(s)
	s = strings.NewReplacer("\\", "\\\\", "|", "\\|", "<", "&lt;", ">", "&gt;", "`", "\\`",
		"*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "\r", " ", "\n", " ").Replace(s)
	return strings.TrimSpace(s)
}

// code writes s as inline code inside a table cell. Backticks in s lengthen the fence, and
// the pipe is escaped: GitHub splits table cells on it even inside code.
func code(s string) string {
	if s == "" {
		return ""
	}
	s = strings.NewReplacer("|", "\\|", "\r", " ", "\n", " ").Replace(clean(s))
	ticks := "`"
	for strings.Contains(s, ticks) {
		ticks += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return ticks + s + ticks
}

// codes writes each string as inline code, separated by commas.
func codes(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = code(s)
	}
	return strings.Join(out, ", ")
}

// fence writes s as a fenced code block whose fence is longer than any run of backticks in
// s, so the text cannot close it early.
func fence(s string) string {
	s = clean(strings.TrimRight(s, "\n"))
	ticks := "```"
	for strings.Contains(s, ticks) {
		ticks += "`"
	}
	return ticks + "text\n" + s + "\n" + ticks
}
