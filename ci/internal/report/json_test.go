package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemaPath is the committed JSON Schema of the JSON report.
var schemaPath = filepath.Join("..", "..", "..", "docs", "report-schema.json")

func reportSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("compiling %s: %v", schemaPath, err)
	}
	return s
}

func decode(t *testing.T, data []byte) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the report is not JSON: %v\n%s", err, data)
	}
	return v
}

func TestJSONMatchesSchema(t *testing.T) {
	schema := reportSchema(t)
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, fx.run(), testOptions()); err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(decode(t, b.Bytes())); err != nil {
				t.Errorf("the JSON report does not match %s:\n%v", schemaPath, err)
			}
			golden, err := os.ReadFile(filepath.Join("testdata", fx.name+".report.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(decode(t, golden)); err != nil {
				t.Errorf("the golden JSON report does not match %s:\n%v", schemaPath, err)
			}
		})
	}
}

// TestJSONSchemaRejects proves the schema constrains the report: each spoiled copy must fail.
func TestJSONSchemaRejects(t *testing.T) {
	schema := reportSchema(t)
	var b bytes.Buffer
	if err := JSON(&b, failedRun(), testOptions()); err != nil {
		t.Fatal(err)
	}
	stage := func(doc map[string]any, i int) map[string]any {
		return doc["stages"].([]any)[i].(map[string]any)
	}
	finding := func(doc map[string]any, s, i int) map[string]any {
		return stage(doc, s)["findings"].([]any)[i].(map[string]any)
	}
	for _, tc := range []struct {
		name  string
		spoil func(map[string]any)
	}{
		{"another schema version", func(d map[string]any) { d["schema_version"] = "whitemagic.report/v2" }},
		{"no schema version", func(d map[string]any) { delete(d, "schema_version") }},
		{"unknown result", func(d map[string]any) { d["result"] = "unknown" }},
		{"fractional duration", func(d map[string]any) { d["duration_ms"] = 1.5 }},
		{"negative duration", func(d map[string]any) { stage(d, 0)["duration_ms"] = -1 }},
		{"unknown stage status", func(d map[string]any) { stage(d, 0)["status"] = "ok" }},
		{"undocumented field", func(d map[string]any) { d["started"] = "now" }},
		{"bad digest", func(d map[string]any) { d["digest"] = "sha256:abc" }},
		{"unknown severity", func(d map[string]any) { finding(d, 0, 0)["severity"] = "critical" }},
		{"line zero", func(d map[string]any) { finding(d, 0, 0)["location"].(map[string]any)["line"] = 0 }},
		{"suppression without reason", func(d map[string]any) {
			finding(d, 0, 1)["suppression"] = map[string]any{}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			tc.spoil(doc)
			if err := schema.Validate(doc); err == nil {
				t.Errorf("the schema accepted a report with %s", tc.name)
			}
		})
	}
}

// TestJSONFields reads the report back and checks the values a consumer relies on.
func TestJSONFields(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, publishedRun(), testOptions()); err != nil {
		t.Fatal(err)
	}
	var got jsonReport
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	type view struct {
		Result         string
		ExitCode       int
		DurationMS     int64
		TimeToFirst200 *int64
		Published      int
		StageMS        []int64
		Counts         jsonCounts
	}
	ttfb := int64(640)
	want := view{"passed", 0, 129000, &ttfb, 2, []int64{150, 41000, 75000, 900, 9000, 2000}, jsonCounts{Info: 1, Suppressed: 1}}
	gotSome := view{got.Result, got.ExitCode, got.DurationMS, got.TimeToFirst200, len(got.Published), nil, got.Counts}
	for _, s := range got.Stages {
		gotSome.StageMS = append(gotSome.StageMS, s.DurationMS)
	}
	if diff := cmp.Diff(want, gotSome); diff != "" {
		t.Errorf("JSON report (-want +got):\n%s", diff)
	}
}
