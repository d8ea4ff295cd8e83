package pipeline

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
)

// TestPolicyIgnoresPassTheStage checks that a finding the source's policy file ignores is
// reported as suppressed and does not fail its stage, while the policy file's own problems
// are reported with the lint stage.
func TestPolicyIgnoresPassTheStage(t *testing.T) {
	t.Parallel()
	src := "ignore:\n" +
		"  - rule: WM-PL-001\n    reason: the tests are flaky on this runner\n" +
		"  - rule: WM-PL-002\n" // no reason: ignores nothing, and is itself a finding
	pol, err := checks.ParsePolicy(".whitemagic.yml", []byte(src))
	if err != nil {
		t.Fatalf("ParsePolicy(%q) error = %v", src, err)
	}
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	r := newRunner(ModeCheck)
	r.Engine = &fakeEngine{img: img}
	r.Config.Policy = pol
	failTest := func(context.Context) ([]checks.Finding, string, error) {
		return []checks.Finding{{Rule: "WM-PL-001", Severity: checks.Error, Message: "go test failed"}}, "", nil
	}
	r.replace = map[string]stageFunc{
		StageTest: failTest, StageAudit: fixed(pass, &atomic.Int32{}), StageHardened: fixed(pass, &atomic.Int32{}),
	}

	res := r.Run(context.Background())

	test := res.Stage(StageTest)
	if test.Status != Passed || len(test.Findings) != 1 || test.Findings[0].Suppressed == "" {
		t.Errorf("test stage = %s with %+v, want passed with WM-PL-001 suppressed", test.Status, test.Findings)
	}
	lint := res.Stage(StageLint)
	if len(pol.Findings) == 0 {
		t.Fatalf("ParsePolicy(%q) found nothing wrong with an ignore without a reason", src)
	}
	for _, f := range pol.Findings {
		if !checksHave(lint.Findings, f.Rule) {
			t.Errorf("lint findings = %v, want the policy file's %s", lint.Findings, f.Rule)
		}
	}
}
