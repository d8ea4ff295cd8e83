package release

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// testRegistry serves an in-memory registry on 127.0.0.1 and returns a repository in it.
func testRegistry(t *testing.T) (repo string, srv *httptest.Server) {
	t.Helper()
	srv = httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://") + "/acme/whitemagic", srv
}

// image makes a small random image whose version label is version ("" for none).
func image(t *testing.T, version string) v1.Image {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	if version != "" {
		cfg.Config.Labels = map[string]string{VersionLabel: version}
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func push(t *testing.T, repo string, img v1.Image, tags ...string) string {
	t.Helper()
	for _, tag := range tags {
		ref, err := name.NewTag(repo+":"+tag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.Write(ref, img); err != nil {
			t.Fatalf("pushing %s: %v", ref, err)
		}
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

func mustPlan(t *testing.T, tag string) Plan {
	t.Helper()
	p, err := FromTag(tag, commit)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGuardEmptyRegistryPublishesEverything(t *testing.T) {
	t.Parallel()
	repo, _ := testRegistry(t)
	plan := mustPlan(t, "v1.2.3")
	newDigest := push(t, repo, image(t, "1.2.3")) // pushed by digest only: no tag yet

	got, held, err := Guard{}.Check(context.Background(), repo, plan, newDigest)
	if err != nil {
		t.Fatalf("Check on an empty repository = %v", err)
	}
	if diff := cmp.Diff(plan, got); diff != "" || len(held) != 0 {
		t.Errorf("Check on an empty repository: held %v, plan mismatch (-want +got):\n%s", held, diff)
	}
}

func TestGuardRefusesToMoveAReleaseTag(t *testing.T) {
	t.Parallel()
	repo, _ := testRegistry(t)
	old := push(t, repo, image(t, "1.2.3"), "1.2.3", "1.2", "1", "latest")
	rebuilt := image(t, "1.2.3")
	newDigest, _ := rebuilt.Digest()

	_, _, err := Guard{}.Check(context.Background(), repo, mustPlan(t, "v1.2.3"), newDigest.String())
	var me *MoveError
	if !errors.As(err, &me) {
		t.Fatalf("Check of a rebuilt v1.2.3 = %v, want a *MoveError", err)
	}
	want := MoveError{Ref: repo + ":1.2.3", Existing: old, New: newDigest.String()}
	if diff := cmp.Diff(want, *me); diff != "" {
		t.Errorf("MoveError mismatch (-want +got):\n%s", diff)
	}
	for _, s := range []string{repo + ":1.2.3", old, newDigest.String(), "tag a new version"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %q", err, s)
		}
	}
}

func TestGuardRefusesToMoveAPrereleaseTag(t *testing.T) {
	t.Parallel()
	repo, _ := testRegistry(t)
	push(t, repo, image(t, "2.0.0-rc.1"), "2.0.0-rc.1")
	d, _ := image(t, "2.0.0-rc.1").Digest()

	_, _, err := Guard{}.Check(context.Background(), repo, mustPlan(t, "v2.0.0-rc.1"), d.String())
	var me *MoveError
	if !errors.As(err, &me) || me.Ref != repo+":2.0.0-rc.1" {
		t.Fatalf("Check of a rebuilt v2.0.0-rc.1 = %v, want a *MoveError for its tag", err)
	}
}

func TestGuardAllowsARerunOfTheSameImage(t *testing.T) {
	t.Parallel()
	repo, _ := testRegistry(t)
	img := image(t, "1.2.3")
	d := push(t, repo, img, "1.2.3", "1.2", "1", "latest", commit)
	plan := mustPlan(t, "v1.2.3")

	got, held, err := Guard{}.Check(context.Background(), repo, plan, d)
	if err != nil {
		t.Fatalf("Check of the image already published = %v, want it allowed", err)
	}
	if diff := cmp.Diff(plan, got); diff != "" || len(held) != 0 {
		t.Errorf("re-run: held %v, plan mismatch (-want +got):\n%s", held, diff)
	}
}

func TestGuardSeriesTagsMoveForwardOnly(t *testing.T) {
	t.Parallel()
	repo, _ := testRegistry(t)
	// 1.5.0 holds 1, latest; 1.4 holds 1.4.8. Releasing 1.4.9 must move 1.4 only.
	v150 := push(t, repo, image(t, "1.5.0"), "1.5.0", "1.5", "1", "latest")
	push(t, repo, image(t, "1.4.8"), "1.4.8", "1.4")
	d, _ := image(t, "1.4.9").Digest()

	got, held, err := Guard{}.Check(context.Background(), repo, mustPlan(t, "v1.4.9"), d.String())
	if err != nil {
		t.Fatalf("Check(v1.4.9) = %v", err)
	}
	wantTags := []string{"1.4.9", "1.4", commit}
	if diff := cmp.Diff(wantTags, got.Names()); diff != "" {
		t.Errorf("Check(v1.4.9) tags mismatch (-want +got):\n%s", diff)
	}
	wantHeld := []Held{{"1", "1.5.0", v150}, {"latest", "1.5.0", v150}}
	if diff := cmp.Diff(wantHeld, held); diff != "" {
		t.Errorf("Check(v1.4.9) held mismatch (-want +got):\n%s", diff)
	}

	// A newer release moves them all.
	d, _ = image(t, "1.6.0").Digest()
	got, held, err = Guard{}.Check(context.Background(), repo, mustPlan(t, "v1.6.0"), d.String())
	if err != nil || len(held) != 0 || len(got.Tags) != 5 {
		t.Errorf("Check(v1.6.0) = %v, held %v, %v; want all five tags", got.Names(), held, err)
	}
}

func TestGuardSeriesTagOverUnversionedImageMoves(t *testing.T) {
	t.Parallel()
	repo, _ := testRegistry(t)
	push(t, repo, image(t, ""), "latest")
	push(t, repo, image(t, "not a version"), "1")
	d, _ := image(t, "1.0.0").Digest()

	got, held, err := Guard{}.Check(context.Background(), repo, mustPlan(t, "v1.0.0"), d.String())
	if err != nil || len(held) != 0 {
		t.Fatalf("Check = %v, held %v; want no hold over images without a version", err, held)
	}
	if diff := cmp.Diff([]string{"1.0.0", "1.0", "1", "latest", commit}, got.Names()); diff != "" {
		t.Errorf("tags mismatch (-want +got):\n%s", diff)
	}
}

func TestGuardNeverReadsMovingTags(t *testing.T) {
	t.Parallel()
	repo, _ := testRegistry(t)
	push(t, repo, image(t, "0.0.1"), "edge", commit)
	plan, err := Edge(commit)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := image(t, "").Digest()

	got, held, err := Guard{}.Check(context.Background(), repo, plan, d.String())
	if err != nil || len(held) != 0 {
		t.Fatalf("Check(edge) = %v, held %v", err, held)
	}
	if diff := cmp.Diff(plan, got); diff != "" {
		t.Errorf("Check(edge) mismatch (-want +got):\n%s", diff)
	}
}

func TestGuardRegistryTrouble(t *testing.T) {
	t.Parallel()
	repo, srv := testRegistry(t)
	srv.Close()
	d, _ := image(t, "1.0.0").Digest()

	_, _, err := Guard{}.Check(context.Background(), repo, mustPlan(t, "v1.0.0"), d.String())
	if !errors.Is(err, ErrRegistry) {
		t.Fatalf("Check against a closed registry = %v, want ErrRegistry", err)
	}
	if !strings.Contains(err.Error(), repo+":1.0.0") {
		t.Errorf("error %q does not name the reference it read", err)
	}
}

func TestGuardBadInput(t *testing.T) {
	t.Parallel()
	repo, _ := testRegistry(t)
	d, _ := image(t, "1.0.0").Digest()
	for _, tc := range []struct {
		name, repo, digest string
		plan               Plan
		want               string
	}{
		{"bad digest", repo, "sha256:nothex", mustPlan(t, "v1.0.0"), `digest "sha256:nothex"`},
		{"bad repository", "Not A Repo!", d.String(), mustPlan(t, "v1.0.0"), `image reference "Not A Repo!:1.0.0"`},
		{"plan without a version", repo, d.String(),
			Plan{Tags: []Tag{{"1", Series}}}, `plan version ""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Guard{}.Check(context.Background(), tc.repo, tc.plan, tc.digest)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Check = %v, want an error saying %s", err, tc.want)
			}
		})
	}
}
