package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// sarifModule carries, in the source of its v210 package, the OASIS SARIF 2.1.0 schema
// (errata 01) as a string constant. The tests read the schema from the module's copy in the
// module cache; nothing of it is kept in this repository. The import of the package below
// (a second, independent SARIF reader) also keeps the module in go.mod.
const sarifModule = "github.com/owenrumney/go-sarif/v3"

var (
	sarifOnce    sync.Once
	sarifCompile *jsonschema.Schema
	sarifErr     error
)

// officialSARIFSchema compiles the SARIF 2.1.0 schema found in sarifModule's source.
func officialSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sarifOnce.Do(func() { sarifCompile, sarifErr = loadSARIFSchema() })
	if sarifErr != nil {
		t.Fatalf("loading the SARIF 2.1.0 schema from %s: %v", sarifModule, sarifErr)
	}
	return sarifCompile
}

func loadSARIFSchema() (*jsonschema.Schema, error) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goTool); err != nil {
		goTool = "go"
	}
	out, err := exec.Command(goTool, "list", "-m", "-json", sarifModule).Output()
	if err != nil {
		return nil, fmt.Errorf("go list -m %s: %v (is it required in go.mod?)", sarifModule, err)
	}
	var mod struct{ Dir, Version string }
	if err := json.Unmarshal(out, &mod); err != nil || mod.Dir == "" {
		return nil, fmt.Errorf("go list -m -json %s gave no module directory: %s", sarifModule, out)
	}
	src := filepath.Join(mod.Dir, "pkg", "report", "v210", "sarif", "schema.go")
	text, err := stringConst(src, "schema")
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("parsing the schema in %s: %v", src, err)
	}
	if id, _ := doc.(map[string]any)["id"].(string); id != sarifSchema {
		return nil, fmt.Errorf("the schema in %s has id %q, want the OASIS errata 01 schema %q", src, id, sarifSchema)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(sarifSchema, doc); err != nil {
		return nil, err
	}
	return c.Compile(sarifSchema)
}

// stringConst returns the value of the named string constant in a Go file.
func stringConst(file, name string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		return "", fmt.Errorf("parsing %s: %v", file, err)
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && n.Name == name && lit.Kind == token.STRING {
					return strconv.Unquote(lit.Value)
				}
			}
		}
	}
	return "", fmt.Errorf("%s has no string constant %s", file, name)
}

// validateSARIF checks data against the official schema and reads it back with go-sarif.
func validateSARIF(t *testing.T, data []byte) {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("SARIF output is not JSON: %v", err)
	}
	if err := officialSARIFSchema(t).Validate(inst); err != nil {
		t.Fatalf("SARIF output does not validate against SARIF 2.1.0:\n%v", err)
	}
	log, err := gosarif.FromBytes(data)
	if err != nil {
		t.Fatalf("go-sarif cannot read the output: %v", err)
	}
	for _, run := range log.Runs {
		for i, res := range run.Results {
			rules := run.Tool.Driver.Rules
			if res.RuleIndex < 0 || res.RuleIndex >= len(rules) || res.RuleID == nil ||
				rules[res.RuleIndex].ID == nil || *rules[res.RuleIndex].ID != *res.RuleID {
				t.Errorf("result %d: ruleIndex %d does not point at its rule", i, res.RuleIndex)
			}
		}
	}
}

func TestSARIFValidates(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := SARIF(&b, fx.run(), testOptions()); err != nil {
				t.Fatal(err)
			}
			validateSARIF(t, b.Bytes())
			golden, err := os.ReadFile(filepath.Join("testdata", fx.name+".sarif.json"))
			if err != nil {
				t.Fatal(err)
			}
			validateSARIF(t, golden)
		})
	}
}

// TestSARIFSchemaRejects proves the validation can fail: each broken log must be refused.
func TestSARIFSchemaRejects(t *testing.T) {
	var b bytes.Buffer
	if err := SARIF(&b, failedRun(), testOptions()); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		spoil func(log map[string]any)
	}{
		{"wrong version", func(l map[string]any) { l["version"] = "2.0.0" }},
		{"no runs", func(l map[string]any) { delete(l, "runs") }},
		{"level not in the enum", func(l map[string]any) { result(l, 0)["level"] = "fatal" }},
		{"line zero", func(l map[string]any) {
			loc := result(l, 0)["locations"].([]any)[0].(map[string]any)
			loc["physicalLocation"].(map[string]any)["region"].(map[string]any)["startLine"] = 0
		}},
		{"suppression kind unknown", func(l map[string]any) {
			result(l, 1)["suppressions"].([]any)[0].(map[string]any)["kind"] = "forgotten"
		}},
		{"unknown result property", func(l map[string]any) { result(l, 0)["severity"] = "error" }},
		{"rule without id", func(l map[string]any) {
			run := l["runs"].([]any)[0].(map[string]any)
			delete(run["tool"].(map[string]any)["driver"].(map[string]any)["rules"].([]any)[0].(map[string]any), "id")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var log map[string]any
			if err := json.Unmarshal(b.Bytes(), &log); err != nil {
				t.Fatal(err)
			}
			tc.spoil(log)
			if err := officialSARIFSchema(t).Validate(log); err == nil {
				t.Errorf("the schema accepted a log with %s", tc.name)
			}
		})
	}
}

func result(log map[string]any, i int) map[string]any {
	return log["runs"].([]any)[0].(map[string]any)["results"].([]any)[i].(map[string]any)
}

// TestSARIFLocations checks what GitHub code scanning needs to show each finding on its
// line: a file relative to SRCROOT, a start line, and, for findings attached to a file they
// do not name, the path they did name.
func TestSARIFLocations(t *testing.T) {
	var b bytes.Buffer
	if err := SARIF(&b, failedRun(), testOptions()); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	type where struct {
		URI, Base   string
		Line        int
		Logical     string
		Suppression string
	}
	var got []where
	for _, r := range log.Runs[0].Results {
		l := r.Locations[0]
		w := where{URI: l.PhysicalLocation.ArtifactLocation.URI, Base: l.PhysicalLocation.ArtifactLocation.URIBaseID,
			Line: l.PhysicalLocation.Region.StartLine}
		if len(l.LogicalLocations) > 0 {
			w.Logical = l.LogicalLocations[0].FullyQualifiedName
		}
		if len(r.Suppressions) > 0 {
			w.Suppression = r.Suppressions[0].Justification
		}
		got = append(got, w)
	}
	want := []where{
		{URI: "Dockerfile", Base: "SRCROOT", Line: 12},
		{URI: "Dockerfile", Base: "SRCROOT", Line: 3, Suppression: "the offline mirror re-tags nightly; the release workflow pins it"},
		{URI: "deploy/compose%20files/prod.yml", Base: "SRCROOT", Line: 7, Logical: "source:services.whitemagic.ports"},
		{URI: "file:///etc/whitemagic/override.yml", Line: 1},
		{URI: "Dockerfile", Base: "SRCROOT", Line: 1, Logical: "image:/usr/bin/su"},
		{URI: "Dockerfile", Base: "SRCROOT", Line: 1, Logical: "image:config.ExposedPorts"},
		{URI: "Dockerfile", Base: "SRCROOT", Line: 1, Logical: "image:config.Labels"},
		{URI: "docker-compose.yml", Base: "SRCROOT", Line: 1, Logical: "container:State.ExitCode"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SARIF locations (-want +got):\n%s", diff)
	}
	if root := log.Runs[0].OriginalURIBaseIDs["SRCROOT"].URI; root != "file:///src/whitemagic/" {
		t.Errorf("SRCROOT = %q, want file:///src/whitemagic/", root)
	}
}

// TestRealRules builds a SARIF log with one finding of every registered rule, validates it
// and checks that each rule's metadata carries the registry's title, fix, level and refs.
func TestRealRules(t *testing.T) {
	rules := checks.Rules()
	if len(rules) == 0 {
		t.Fatal("checks.Rules() is empty")
	}
	stage := pipeline.StageResult{Name: pipeline.StageAudit, Status: pipeline.Failed}
	for _, r := range rules {
		stage.Findings = append(stage.Findings, r.At("a finding of "+r.ID, checks.Location{Path: "config.User"}))
	}
	res := &pipeline.Result{Mode: "check", Engine: "docker", Image: "whitemagic", Stages: []pipeline.StageResult{stage}}
	var b bytes.Buffer
	if err := SARIF(&b, res, Options{Source: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, b.Bytes())

	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	got := log.Runs[0].Tool.Driver.Rules
	if len(got) != len(rules) {
		t.Fatalf("SARIF has %d rules, the registry %d", len(got), len(rules))
	}
	for i, r := range rules {
		sr := got[i]
		if sr.ID != r.ID || sr.ShortDescription.Text != r.Title || sr.DefaultConfiguration.Level != sarifLevel(r.Severity) {
			t.Errorf("rule %d = %s %q %s, want %s %q %s", i, sr.ID, sr.ShortDescription.Text,
				sr.DefaultConfiguration.Level, r.ID, r.Title, sarifLevel(r.Severity))
		}
		if r.Fix != "" && !strings.Contains(sr.Help.Text, r.Fix) {
			t.Errorf("rule %s: help %q lacks the fix %q", r.ID, sr.Help.Text, r.Fix)
		}
		if len(sr.Properties.Tags) < len(r.Refs) {
			t.Errorf("rule %s: tags %q lack refs %q", r.ID, sr.Properties.Tags, r.Refs)
		}
		if sr.Name == "" || strings.ContainsAny(sr.Name, " /`") {
			t.Errorf("rule %s: name %q is not one word", r.ID, sr.Name)
		}
	}
}

// TestSARIFFingerprints: findings attached to the same first line must still differ in
// their fingerprints, and keep them from run to run.
func TestSARIFFingerprints(t *testing.T) {
	prints := func() []string {
		var b bytes.Buffer
		if err := SARIF(&b, failedRun(), testOptions()); err != nil {
			t.Fatal(err)
		}
		var log sarifLog
		if err := json.Unmarshal(b.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range log.Runs[0].Results {
			out = append(out, r.PartialFingerprints[fingerprintKey])
		}
		return out
	}
	first := prints()
	if diff := cmp.Diff(first, prints()); diff != "" {
		t.Errorf("fingerprints changed between two runs:\n%s", diff)
	}
	seen := map[string]bool{}
	attached := 0
	for _, fp := range first {
		if fp == "" {
			continue
		}
		attached++
		if seen[fp] {
			t.Errorf("fingerprint %s appears twice", fp)
		}
		seen[fp] = true
	}
	if attached != 4 {
		t.Errorf("%d results have a fingerprint, want the 4 attached ones: %q", attached, first)
	}
}
