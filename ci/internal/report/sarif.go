package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// The SARIF version written and the schema its $schema names (OASIS, errata 01).
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	toolName     = "whitemagic"
	toolURI      = "https://github.com/whitemagic/whitemagic"
	srcRoot      = "SRCROOT"
)

// SARIF writes r as a SARIF 2.1.0 log with one run: the rules its findings refer to, with
// their titles, fixes, levels and refs, and one result per finding located in a file under
// the source root (see place for findings that name no file).
func SARIF(w io.Writer, r *pipeline.Result, o Options) error {
	o = o.withDefaults()
	rules, index := o.sarifRules(r)
	run := sarifRun{
		Tool:        sarifTool{Driver: sarifDriver{Name: toolName, InformationURI: toolURI, Rules: rules}},
		Invocations: []sarifInvocation{invocation(r)},
		Results:     []sarifResult{},
		Properties: sarifRunProps{Mode: r.Mode, Engine: r.Engine, Image: r.Image, Digest: r.Digest,
			Tags: r.Tags, Published: r.Published},
	}
	if root := rootURI(o.Source); root != "" {
		run.OriginalURIBaseIDs = map[string]sarifArtifactLoc{srcRoot: {URI: root}}
	}
	for _, s := range r.Stages {
		for _, f := range s.Findings {
			run.Results = append(run.Results, o.sarifResult(s.Name, f, index[f.Rule]))
		}
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

// sarifRules describes each rule the findings refer to, sorted by ID, and returns each
// rule's index in that list.
func (o Options) sarifRules(r *pipeline.Result) ([]sarifRule, map[string]int) {
	seen := map[string]checks.Rule{}
	for _, f := range r.Findings() {
		if _, ok := seen[f.Rule]; !ok {
			seen[f.Rule] = o.ruleOf(f)
		}
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)

	rules := make([]sarifRule, len(ids))
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
		rules[i] = sarifRuleOf(seen[id])
	}
	return rules, index
}

func sarifRuleOf(r checks.Rule) sarifRule {
	full, md := r.Title+".", "**"+r.Title+"**"
	if r.Fix != "" {
		full += " Fix: " + r.Fix
		md += "\n\nFix: " + r.Fix
	}
	help := r.Fix
	if help == "" {
		help = r.Title
	}
	if len(r.Refs) > 0 {
		refs := strings.Join(r.Refs, ", ")
		help += "\n\nSee also: " + refs
		md += "\n\nSee also: " + refs
	}
	sr := sarifRule{
		ID:                   r.ID,
		Name:                 ruleName(r.Title),
		ShortDescription:     sarifText{r.Title},
		FullDescription:      sarifText{full},
		Help:                 sarifHelp{Text: help, Markdown: md},
		DefaultConfiguration: sarifConfig{Level: sarifLevel(r.Severity)},
		Properties:           sarifRuleProp{Tags: tags(r)},
	}
	if c, ok := categories[family(r.ID)]; ok && c.security {
		sr.Properties.SecuritySeverity = securitySeverity(r.Severity)
	}
	return sr
}

func (o Options) sarifResult(stage string, f checks.Finding, ruleIndex int) sarifResult {
	p := o.placeOf(stage, f)
	art := sarifArtifactLoc{URI: p.uri()}
	if !p.Abs {
		art.URIBaseID = srcRoot
	}
	// GitHub code scanning wants a line for every result; a finding without one is shown
	// on the first line of the file it is attached to.
	loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: art,
		Region: sarifRegion{StartLine: max(p.Line, 1)}}}
	if p.Logical != "" {
		loc.LogicalLocations = []sarifLogical{{Name: p.Logical,
			FullyQualifiedName: p.Scope + ":" + p.Logical, Kind: logicalKind(stage, p.Logical)}}
	}
	if p.Attached {
		loc.Properties = &sarifLocProps{Attached: true}
	}
	res := sarifResult{
		RuleID:     f.Rule,
		RuleIndex:  ruleIndex,
		Level:      sarifLevel(f.Severity),
		Message:    sarifText{f.Message + p.suffix()},
		Locations:  []sarifLocation{loc},
		Properties: sarifResultProps{Stage: stage},
	}
	if f.Suppressed != "" {
		res.Suppressions = []sarifSuppression{o.sarifSuppression(f)}
	}
	if p.Attached {
		res.PartialFingerprints = map[string]string{fingerprintKey: fingerprint(f.Rule, p)}
	}
	return res
}

// fingerprintKey names the partial fingerprint of attached findings, versioned as SARIF
// asks of fingerprint names.
const fingerprintKey = "whitemagicLogicalLocation/v1"

// fingerprint tells apart findings that share line 1 of the file they are attached to.
// Code scanning's own fingerprint hashes the line's text, which is the same for all of them,
// so two setuid files in the image would otherwise look like one alert. It hashes what stays
// the same from run to run: the rule, the file, and the image path or container field.
//
// Shortcoming: how GitHub combines this key with the line hash it adds on upload has not been
// checked against GitHub itself (no GitHub is reachable from the test machines); the SARIF
// specification lets a result management system weigh partial fingerprints as it likes.
func fingerprint(rule string, p place) string {
	sum := sha256.Sum256([]byte(rule + "\x00" + p.File + "\x00" + p.Scope + ":" + p.Logical))
	return hex.EncodeToString(sum[:16])
}

// sarifSuppression records why and where a finding was ignored: an inline ignore comment is
// kept in the source ("inSource"), an ignore in the policy file outside it ("external").
func (o Options) sarifSuppression(f checks.Finding) sarifSuppression {
	s := sarifSuppression{Kind: "external", Status: "accepted", Justification: f.Suppressed}
	p, inline, ok := o.ignorePlace(f)
	if !ok {
		return s
	}
	if inline {
		s.Kind = "inSource"
	}
	art := sarifArtifactLoc{URI: p.uri()}
	if !p.Abs {
		art.URIBaseID = srcRoot
	}
	s.Location = &sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: art,
		Region: sarifRegion{StartLine: max(p.Line, 1)}}}
	return s
}

// logicalKind picks a SARIF well-known logical location kind: a module for Go packages, a
// resource for a file inside the image or a registry, a property for a field of the image
// config, the container or the compose service.
func logicalKind(stage, path string) string {
	switch {
	case stage == pipeline.StageTest:
		return "module"
	case stage == pipeline.StagePublish, strings.HasPrefix(path, "/"):
		return "resource"
	}
	return "property"
}

// invocation records whether the run itself worked: a failed check is a successful
// execution that found problems; an engine error or an interruption is not.
func invocation(r *pipeline.Result) sarifInvocation {
	inv := sarifInvocation{ExecutionSuccessful: true, ExitCode: r.ExitCode()}
	if r.Interrupted {
		inv.ExecutionSuccessful = false
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error",
			Message: sarifText{"the run was interrupted"}})
	}
	for _, s := range r.Stages {
		if s.Status != pipeline.Errored {
			continue
		}
		inv.ExecutionSuccessful = false
		msg := s.Name + ": " + firstLine(s.Detail)
		if s.Detail == "" {
			msg = s.Name + " errored"
		}
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error",
			Message: sarifText{msg}})
	}
	return inv
}

// rootURI is the source root as an absolute file URI ending in a slash, as SARIF requires
// of a base URI, or "" when it cannot be made absolute.
//
// Shortcoming: GitHub code scanning expects URIs relative to the repository root; that it
// would resolve SRCROOT through originalUriBaseIds has not been checked, so with -source set
// to a subdirectory its alerts may name paths without that directory. The workflows run from
// the repository root.
func rootURI(source string) string {
	abs, err := filepath.Abs(source)
	if err != nil {
		return ""
	}
	p := filepath.ToSlash(abs)
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
