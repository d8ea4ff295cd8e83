package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/whitemagic/whitemagic/ci/internal/release"
)

// fakeGuard answers Check as told and records what it was asked.
type fakeGuard struct {
	held  []release.Held
	err   error
	asked []string // repo@digest
}

func (g *fakeGuard) Check(_ context.Context, repo string, plan release.Plan, digest string) (release.Plan, []release.Held, error) {
	g.asked = append(g.asked, repo+"@"+digest)
	if g.err != nil {
		return release.Plan{}, nil, g.err
	}
	out := release.Plan{Version: plan.Version}
	for _, t := range plan.Tags {
		if !slices.ContainsFunc(g.held, func(h release.Held) bool { return h.Tag == t.Name }) {
			out.Tags = append(out.Tags, t)
		}
	}
	return out, g.held, nil
}

func TestReleaseGuardsTagsAndAttachesTheSBOM(t *testing.T) {
	t.Parallel()
	commit := "0123456789abcdef0123456789abcdef01234567"
	plan, err := release.FromTag("v1.4.9", commit)
	if err != nil {
		t.Fatal(err)
	}
	moved := &release.MoveError{Ref: "127.0.0.1:5000/whitemagic:1.4.9",
		Existing: "sha256:" + fmt.Sprintf("%064d", 1), New: "sha256:" + fmt.Sprintf("%064d", 2)}
	tests := []struct {
		name       string
		guard      *fakeGuard
		wantStatus Status
		wantTags   []string // pushed
		wantRule   string
		wantSBOM   bool
	}{
		{"every tag", &fakeGuard{}, Passed, []string{"1.4.9", "1.4", "1", "latest", commit}, "", true},
		{"series held on a newer release",
			&fakeGuard{held: []release.Held{{Tag: "1", Version: "1.5.0"}, {Tag: "latest", Version: "1.5.0"}}},
			Passed, []string{"1.4.9", "1.4", commit}, "WM-PL-006", true},
		{"fixed tag would move", &fakeGuard{err: moved}, Failed, nil, "WM-PL-005", false},
		{"registry unreadable", &fakeGuard{err: fmt.Errorf("%w: reading tags", release.ErrRegistry)},
			Errored, nil, "WM-PL-004", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			img, err := random.Image(256, 1)
			if err != nil {
				t.Fatal(err)
			}
			pub := &fakePublisher{}
			var attached []string
			r := newRunner(ModeRelease)
			r.Engine, r.Publisher, r.Guard = &fakeEngine{img: img}, pub, tt.guard
			r.AttachSBOM = func(_ context.Context, subject string, bom *cdx.BOM) (string, error) {
				if bom == nil {
					return "", errors.New("no SBOM")
				}
				attached = append(attached, subject)
				return "127.0.0.1:5000/whitemagic@sha256:" + fmt.Sprintf("%064d", 3), nil
			}
			r.Config.Registry, r.Config.Release, r.Config.Tags = "127.0.0.1:5000", &plan, plan.Names()
			r.replace = map[string]stageFunc{
				StageLint: fixed(pass, &atomic.Int32{}), StageTest: fixed(pass, &atomic.Int32{}),
				StageAudit: fixed(pass, &atomic.Int32{}), StageHardened: fixed(pass, &atomic.Int32{}),
			}

			res := r.Run(context.Background())

			if s := res.Stage(StagePublish); s.Status != tt.wantStatus {
				t.Errorf("publish = %s (%v), want %s", s.Status, s.Findings, tt.wantStatus)
			}
			var pushed []string
			for _, ref := range pub.refs {
				pushed = append(pushed, ref[len("127.0.0.1:5000/whitemagic:"):])
			}
			if diff := cmp.Diff(tt.wantTags, pushed); diff != "" {
				t.Errorf("pushed tags mismatch (-want +got):\n%s", diff)
			}
			if tt.wantStatus == Passed {
				if diff := cmp.Diff(tt.wantTags, res.Tags); diff != "" {
					t.Errorf("Result.Tags mismatch (-want +got):\n%s", diff)
				}
			}
			if tt.wantRule != "" && !checksHave(res.Stage(StagePublish).Findings, tt.wantRule) {
				t.Errorf("publish findings = %v, want %s", res.Stage(StagePublish).Findings, tt.wantRule)
			}
			wantGuard := []string{"127.0.0.1:5000/whitemagic@" + res.Digest}
			if diff := cmp.Diff(wantGuard, tt.guard.asked); diff != "" {
				t.Errorf("guard asked about (-want +got):\n%s", diff)
			}
			if got := len(attached) == 1 && attached[0] == wantGuard[0]; got != tt.wantSBOM {
				t.Errorf("SBOM attached to %v, want it attached: %t", attached, tt.wantSBOM)
			}
			if tt.wantSBOM && res.SBOM == "" {
				t.Errorf("Result.SBOM is empty after attaching")
			}
		})
	}
}
