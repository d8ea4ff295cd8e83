package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/whitemagic/whitemagic/ci/internal/sbom"
	"github.com/whitemagic/whitemagic/internal/testenv"
)

// runRelease runs the pipeline's release mode on dir and returns its exit code, output and the
// audited digest it printed.
func runRelease(t *testing.T, eng, dir, reg, repo, version string, extra ...string) (int, string, string) {
	t.Helper()
	slots <- struct{}{}
	defer func() { <-slots }()
	args := append([]string{"release", "-registry", reg, "-image", repo, "-version", version}, extra...)
	r := newRun(t, eng, dir, args...)
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	code := r.wait(t)
	out := r.output()
	if left := leftovers(t, r.runID); len(left) > 0 {
		t.Errorf("the run left behind %v", left)
	}
	m := regexp.MustCompile(`image (sha256:[0-9a-f]{64})`).FindStringSubmatch(out)
	if m == nil {
		return code, out, ""
	}
	return code, out, m[1]
}

// imageTags lists the registry's tags of repo without the referrers tags of attached
// artifacts (sha256-<hex>).
func imageTags(t *testing.T, reg, repo string) []string {
	t.Helper()
	var tags []string
	for _, tag := range testenv.Tags(t, reg, repo) {
		if !strings.HasPrefix(tag, "sha256-") {
			tags = append(tags, tag)
		}
	}
	slices.Sort(tags)
	return tags
}

// digestOf returns the digest repo:tag names in the registry.
func digestOf(t *testing.T, reg, repo, tag string) string {
	t.Helper()
	ref, err := name.NewTag(reg+"/"+repo+":"+tag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Head(ref)
	if err != nil {
		t.Fatalf("reading %s: %v", ref, err)
	}
	return desc.Digest.String()
}

// TestEndToEndRelease publishes v1.2.3 to the registry on 127.0.0.1 and reads it back; then
// re-releases v1.2.3 from another commit, which must be refused, and releases the older
// v1.2.2, which must not take latest, 1 or 1.2 from v1.2.3.
func TestEndToEndRelease(t *testing.T) {
	testenv.RequireDocker(t)
	for _, eng := range engines(t) {
		t.Run(eng, func(t *testing.T) {
			reg := testenv.Registry(t)
			repo := testenv.UniqueName("e2e-release") + "/whitemagic"
			dir := sourceCopy(t)
			commit := gitCommit(t, dir)
			bomFile := filepath.Join(t.TempDir(), "sbom.cdx.json")

			code, out, digest := runRelease(t, eng, dir, reg, repo, "v1.2.3", "-sbom", bomFile)
			if code != 0 || digest == "" {
				t.Fatalf("release v1.2.3: exit code %d, digest %q; output:\n%s", code, digest, out)
			}
			want := []string{commit, "1", "1.2", "1.2.3", "latest"}
			slices.Sort(want)
			if diff := cmp.Diff(want, imageTags(t, reg, repo)); diff != "" {
				t.Fatalf("registry tags mismatch (-want +got):\n%s", diff)
			}
			for _, tag := range want {
				if got := digestOf(t, reg, repo, tag); got != digest {
					t.Errorf("%s:%s = %s, want the audited %s", repo, tag, got, digest)
				}
			}
			checkReleaseImage(t, reg, repo, digest, "1.2.3", commit)
			checkReleaseSBOM(t, reg, repo, digest, "1.2.3", bomFile)

			// The same version from another commit is another image: 1.2.3 must not move.
			if err := os.WriteFile(filepath.Join(dir, "NOTES"), []byte("another commit\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			gitCommit(t, dir)
			code, out, _ = runRelease(t, eng, dir, reg, repo, "v1.2.3")
			if code != 1 || !slices.Contains(rulesIn(out), "WM-PL-005") {
				t.Errorf("re-releasing v1.2.3 from another commit: exit code %d, rules %v; want 1 and WM-PL-005\n%s",
					code, rulesIn(out), out)
			}
			if got := digestOf(t, reg, repo, "1.2.3"); got != digest {
				t.Errorf("1.2.3 moved to %s, want it kept on %s", got, digest)
			}

			// An older version publishes its own tags, and leaves the newer release's series.
			code, out, older := runRelease(t, eng, dir, reg, repo, "v1.2.2")
			if code != 0 || !slices.Contains(rulesIn(out), "WM-PL-006") {
				t.Errorf("releasing v1.2.2 after v1.2.3: exit code %d, rules %v; want 0 and WM-PL-006\n%s",
					code, rulesIn(out), out)
			}
			if got := digestOf(t, reg, repo, "1.2.2"); got != older {
				t.Errorf("1.2.2 = %s, want %s", got, older)
			}
			for _, tag := range []string{"latest", "1", "1.2"} {
				if got := digestOf(t, reg, repo, tag); got != digest {
					t.Errorf("%s moved to %s (v1.2.2), want it kept on v1.2.3's %s", tag, got, digest)
				}
			}
		})
	}
}

// checkReleaseImage reads the published image's labels and manifest annotations.
func checkReleaseImage(t *testing.T, reg, repo, digest, version, commit string) {
	t.Helper()
	ref, err := name.NewDigest(reg+"/"+repo+"@"+digest, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatalf("reading %s: %v", ref, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"org.opencontainers.image.version":  version,
		"org.opencontainers.image.revision": commit,
	} {
		if got := cfg.Config.Labels[key]; got != want {
			t.Errorf("label %s = %q, want %q", key, got, want)
		}
		if got := m.Annotations[key]; got != want {
			t.Errorf("annotation %s = %q, want %q", key, got, want)
		}
	}
	for _, key := range []string{"org.opencontainers.image.created", "org.opencontainers.image.source"} {
		if m.Annotations[key] == "" || m.Annotations[key] != cfg.Config.Labels[key] {
			t.Errorf("annotation %s = %q, want the label's %q", key, m.Annotations[key], cfg.Config.Labels[key])
		}
	}
}

// checkReleaseSBOM reads the SBOM attached to the image and the one written with -sbom.
func checkReleaseSBOM(t *testing.T, reg, repo, digest, version, file string) {
	t.Helper()
	boms, err := sbom.Fetch(t.Context(), reg+"/"+repo+"@"+digest, nil)
	if err != nil {
		t.Fatalf("fetching the SBOM of %s: %v", digest, err)
	}
	if len(boms) != 1 {
		t.Fatalf("%d SBOMs attached to %s, want 1", len(boms), digest)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatalf("the -sbom file: %v", err)
	}
	defer f.Close()
	written, err := sbom.Decode(f)
	if err != nil {
		t.Fatalf("decoding the -sbom file: %v", err)
	}
	for where, got := range map[string]*cdx.BOM{"attached": boms[0], "written": written} {
		if got.Metadata == nil || got.Metadata.Component == nil || got.Metadata.Component.Version != version {
			t.Errorf("the %s SBOM's subject is %+v, want version %s", where, got.Metadata, version)
		}
		if got.Components == nil || len(*got.Components) == 0 {
			t.Errorf("the %s SBOM lists no components", where)
		}
	}
}
