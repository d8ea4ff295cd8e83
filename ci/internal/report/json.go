package report

import (
	"encoding/json"
	"io"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// SchemaVersion names the JSON report's schema, docs/report-schema.json. It changes, to
// v2 and on, only when a field is removed, renamed, retyped or changes meaning; new
// optional fields and new stages keep v1, so readers must ignore fields they do not know.
const SchemaVersion = "whitemagic.report/v1"

// jsonReport is the JSON report. Durations are whole milliseconds.
type jsonReport struct {
	SchemaVersion  string      `json:"schema_version"`
	Result         string      `json:"result"`
	ExitCode       int         `json:"exit_code"`
	Mode           string      `json:"mode"`
	Engine         string      `json:"engine"`
	Image          string      `json:"image"`
	Digest         string      `json:"digest,omitempty"`
	Tags           []string    `json:"tags"`
	Published      []string    `json:"published"`
	SBOM           string      `json:"sbom,omitempty"`
	DurationMS     int64       `json:"duration_ms"`
	TimeToFirst200 *int64      `json:"time_to_first_200_ms,omitempty"`
	Counts         jsonCounts  `json:"counts"`
	Stages         []jsonStage `json:"stages"`
}

type jsonCounts struct {
	Errors     int `json:"errors"`
	Warnings   int `json:"warnings"`
	Info       int `json:"info"`
	Suppressed int `json:"suppressed"`
}

type jsonStage struct {
	Name       string        `json:"name"`
	Status     string        `json:"status"`
	DurationMS int64         `json:"duration_ms"`
	Summary    string        `json:"summary"`
	Detail     string        `json:"detail,omitempty"`
	Findings   []jsonFinding `json:"findings"`
}

type jsonFinding struct {
	Rule        string           `json:"rule"`
	Title       string           `json:"title"`
	Severity    string           `json:"severity"`
	Message     string           `json:"message"`
	Location    jsonLocation     `json:"location"`
	Fix         string           `json:"fix,omitempty"`
	Refs        []string         `json:"refs,omitempty"`
	Suppression *jsonSuppression `json:"suppression,omitempty"`
}

// jsonLocation is the report's own copy of checks.Location, so the schema does not follow
// another package's field tags.
type jsonLocation struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Path string `json:"path,omitempty"`
}

type jsonSuppression struct {
	Reason string `json:"reason"`
	// By is where the ignore is written, file:line; absent when not known.
	By string `json:"by,omitempty"`
}

// JSON writes the JSON report of r to w.
func JSON(w io.Writer, r *pipeline.Result, o Options) error {
	o = o.withDefaults()
	doc := jsonReport{
		SchemaVersion: SchemaVersion,
		Result:        Outcome(r),
		ExitCode:      r.ExitCode(),
		Mode:          r.Mode,
		Engine:        r.Engine,
		Image:         r.Image,
		Digest:        r.Digest,
		Tags:          nonNil(r.Tags),
		Published:     nonNil(r.Published),
		SBOM:          r.SBOM,
		DurationMS:    millis(r.Duration),
		Stages:        make([]jsonStage, 0, len(r.Stages)),
	}
	if r.TimeToHealthy > 0 {
		ms := millis(r.TimeToHealthy)
		doc.TimeToFirst200 = &ms
	}
	c := countOf(r.Findings())
	doc.Counts = jsonCounts{Errors: c.errors, Warnings: c.warnings, Info: c.info, Suppressed: c.suppressed}
	for _, s := range r.Stages {
		js := jsonStage{Name: s.Name, Status: string(s.Status), DurationMS: millis(s.Duration),
			Summary: stageSummary(s), Detail: s.Detail, Findings: make([]jsonFinding, 0, len(s.Findings))}
		for _, f := range s.Findings {
			js.Findings = append(js.Findings, o.jsonFinding(f))
		}
		doc.Stages = append(doc.Stages, js)
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

func (o Options) jsonFinding(f checks.Finding) jsonFinding {
	r := o.ruleOf(f)
	jf := jsonFinding{Rule: f.Rule, Title: r.Title, Severity: f.Severity.String(), Message: f.Message,
		Location: jsonLocation{File: f.Location.File, Line: f.Location.Line, Path: f.Location.Path}, Fix: f.Fix, Refs: r.Refs}
	if f.Suppressed != "" {
		jf.Suppression = &jsonSuppression{Reason: f.Suppressed, By: f.SuppressedBy}
	}
	return jf
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
