package report

import (
	"strings"
	"unicode"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
)

// ruleOf returns the registered rule behind a finding, or one made from the finding itself
// when its ID is not registered, so a report never drops a finding for want of metadata.
func (o Options) ruleOf(f checks.Finding) checks.Rule {
	if r, ok := o.Lookup(f.Rule); ok {
		return r
	}
	return checks.Rule{ID: f.Rule, Title: f.Rule, Severity: f.Severity, Fix: f.Fix}
}

// categories maps a rule ID's family to the tag SARIF consumers can filter on, and whether
// the family is about security (GitHub lists those under security alerts).
var categories = map[string]struct {
	tag      string
	security bool
}{
	"DF": {"dockerfile", true},
	"CO": {"compose", true},
	"IM": {"image", true},
	"RT": {"runtime", true},
	"AG": {"agreement", true},
	"HR": {"hardened-run", false},
	"LG": {"logs", false},
	"PL": {"pipeline", false},
}

// family returns the two letters of a WM-XX-nnn ID, or "".
func family(id string) string {
	parts := strings.Split(id, "-")
	if len(parts) != 3 || parts[0] != "WM" {
		return ""
	}
	return parts[1]
}

// tags lists a rule's SARIF tags: its family, "security" where that applies, and each ref
// named with the tool or benchmark it comes from.
func tags(r checks.Rule) []string {
	var out []string
	if c, ok := categories[family(r.ID)]; ok {
		out = append(out, c.tag)
		if c.security {
			out = append(out, "security")
		}
	}
	for _, ref := range r.Refs {
		out = append(out, refTag(ref))
	}
	return out
}

// refTag names the source of a ref: CIS Docker Benchmark sections are written "CIS 5.4",
// hadolint rules start with DL, Dockle's with CIS-DI- or DKL-, Trivy's misconfiguration IDs
// with DS.
func refTag(ref string) string {
	switch {
	case strings.HasPrefix(ref, "CIS "):
		return "CIS Docker Benchmark v1.6.0 " + strings.TrimPrefix(ref, "CIS ")
	case strings.HasPrefix(ref, "DL"):
		return "hadolint " + ref
	case strings.HasPrefix(ref, "CIS-DI-"), strings.HasPrefix(ref, "DKL-"):
		return "Dockle " + ref
	case strings.HasPrefix(ref, "DS"):
		return "Trivy " + ref
	}
	return ref
}

// ruleName turns a title into the PascalCase name SARIF wants beside the opaque ID:
// "Final stage runs as root" becomes "FinalStageRunsAsRoot".
func ruleName(title string) string {
	var b strings.Builder
	up := true
	for _, r := range title {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(s checks.Severity) string {
	switch s {
	case checks.Error:
		return "error"
	case checks.Warning:
		return "warning"
	}
	return "note"
}

// securitySeverity is the score GitHub code scanning ranks security alerts by: 7.0 and up
// is high, 4.0 to 6.9 medium, below that low.
func securitySeverity(s checks.Severity) string {
	switch s {
	case checks.Error:
		return "8.0"
	case checks.Warning:
		return "5.0"
	}
	return "2.0"
}
