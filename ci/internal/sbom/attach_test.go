package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// served starts an in-memory registry on 127.0.0.1, with or without the referrers API, and
// pushes img to it; it returns the repository and the image's digest reference.
func served(t *testing.T, referrers bool, img v1.Image) (repo, subject string) {
	t.Helper()
	srv := httptest.NewServer(registry.New(
		registry.Logger(log.New(io.Discard, "", 0)),
		registry.WithReferrersSupport(referrers)))
	t.Cleanup(srv.Close)
	repo = strings.TrimPrefix(srv.URL, "http://") + "/acme/whitemagic"
	ref, err := name.NewTag(repo+":1.2.3", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("pushing the test image: %v", err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return repo, repo + "@" + d.String()
}

func TestAttachAndFetch(t *testing.T) {
	t.Parallel()
	img := testImage(t)
	bom, err := Make(img, testRepo)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		referrers bool
	}{
		{"registry with the referrers API", true},
		{"registry without it: referrers tag", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			repo, subject := served(t, tc.referrers, img)

			artifact, err := Attach(ctx, subject, bom, nil)
			if err != nil {
				t.Fatalf("Attach(%s) = %v", subject, err)
			}
			if !strings.HasPrefix(artifact, repo+"@sha256:") {
				t.Errorf("Attach returned %q, want a digest reference in %s", artifact, repo)
			}
			checkArtifact(t, artifact, subject)
			checkListed(t, repo, subject, artifact, tc.referrers)

			got, err := Fetch(ctx, subject, nil)
			if err != nil {
				t.Fatalf("Fetch(%s) = %v", subject, err)
			}
			if len(got) != 1 {
				t.Fatalf("Fetch(%s) returned %d SBOMs, want 1", subject, len(got))
			}
			var want, have bytes.Buffer
			if err := Encode(&want, bom); err != nil {
				t.Fatal(err)
			}
			if err := Encode(&have, got[0]); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want.String(), have.String()); diff != "" {
				t.Errorf("fetched SBOM differs from the attached one (-want +got):\n%s", diff)
			}

			again, err := Attach(ctx, subject, bom, nil)
			if err != nil || again != artifact {
				t.Errorf("attaching the same SBOM again = %q, %v; want the same artifact %q", again, err, artifact)
			}
			if got, _ := Fetch(ctx, subject, nil); len(got) != 1 {
				t.Errorf("after attaching twice Fetch returned %d SBOMs, want 1", len(got))
			}
		})
	}
}

// checkArtifact reads the artifact's manifest: OCI 1.1, artifactType CycloneDX, the empty
// config, one layer, the image as subject.
func checkArtifact(t *testing.T, artifact, subject string) {
	t.Helper()
	ref, err := name.NewDigest(artifact, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(ref)
	if err != nil {
		t.Fatalf("reading %s: %v", artifact, err)
	}
	var m v1.Manifest
	if err := json.Unmarshal(desc.Manifest, &m); err != nil {
		t.Fatal(err)
	}
	_, subjectDigest, _ := strings.Cut(subject, "@")
	if m.MediaType != types.OCIManifestSchema1 || m.ArtifactType != ArtifactType ||
		m.Config.MediaType != emptyType || m.Config.Size != 2 || len(m.Layers) != 1 ||
		m.Layers[0].MediaType != ArtifactType || m.Subject == nil || m.Subject.Digest.String() != subjectDigest {
		t.Errorf("artifact manifest = %s, want an OCI 1.1 CycloneDX artifact of %s", desc.Manifest, subjectDigest)
	}
	if title := m.Layers[0].Annotations["org.opencontainers.image.title"]; title != FileName {
		t.Errorf("layer title = %q, want %q", title, FileName)
	}
	if c := m.Annotations["org.opencontainers.image.created"]; c != "2026-05-04T03:02:01Z" {
		t.Errorf("artifact created annotation = %q, want the image's created time", c)
	}
}

// checkListed reads the registry the way oras and crane do: the referrers API where it
// exists, else the index tagged sha256-<hex>.
func checkListed(t *testing.T, repo, subject, artifact string, referrers bool) {
	t.Helper()
	host, path, _ := strings.Cut(repo, "/")
	_, digest, _ := strings.Cut(subject, "@")
	_, artifactDigest, _ := strings.Cut(artifact, "@")
	fallback := "sha256-" + strings.TrimPrefix(digest, "sha256:")
	urls := map[bool]string{
		true:  "http://" + host + "/v2/" + path + "/referrers/" + digest,
		false: "http://" + host + "/v2/" + path + "/manifests/" + fallback,
	}
	req, _ := http.NewRequest(http.MethodGet, urls[referrers], nil)
	req.Header.Set("Accept", string(types.OCIImageIndex))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var idx v1.IndexManifest
	if err := json.NewDecoder(resp.Body).Decode(&idx); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %s, %v; want an image index", urls[referrers], resp.Status, err)
	}
	if len(idx.Manifests) != 1 || idx.Manifests[0].Digest.String() != artifactDigest {
		t.Errorf("GET %s lists %v, want only %s", urls[referrers], idx.Manifests, artifactDigest)
	}
	if !referrers && idx.Manifests[0].ArtifactType != ArtifactType {
		t.Errorf("referrers tag lists artifactType %q, want %q", idx.Manifests[0].ArtifactType, ArtifactType)
	}

	if referrers { // a registry with the API needs no tag
		ref, _ := name.NewTag(repo+":"+fallback, name.Insecure)
		if _, err := remote.Head(ref); err == nil {
			t.Errorf("%s exists on a registry with the referrers API; want no fallback tag", ref)
		}
	}
}

func TestFetchSkipsOtherArtifacts(t *testing.T) {
	t.Parallel()
	img := testImage(t)
	_, subject := served(t, false, img)
	ctx := context.Background()

	// Another referrer, shaped like a signature, that Fetch must pass over.
	sub, err := remote.Head(mustDigest(t, subject))
	if err != nil {
		t.Fatal(err)
	}
	sig := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	sig = mutate.ConfigMediaType(sig, "application/vnd.dev.sigstore.bundle.v0.3+json")
	sig, err = mutate.Append(sig, mutate.Addendum{Layer: static.NewLayer([]byte("sig"), "application/octet-stream")})
	if err != nil {
		t.Fatal(err)
	}
	sig = mutate.Subject(sig, *sub).(v1.Image)
	sd, _ := sig.Digest()
	if err := remote.Write(mustDigest(t, strings.Split(subject, "@")[0]+"@"+sd.String()), sig); err != nil {
		t.Fatalf("pushing the signature-shaped referrer: %v", err)
	}

	if got, err := Fetch(ctx, subject, nil); err != nil || len(got) != 0 {
		t.Fatalf("Fetch with only a signature attached = %d SBOMs, %v; want none", len(got), err)
	}
	bom, err := Make(img, testRepo)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Attach(ctx, subject, bom, nil); err != nil {
		t.Fatal(err)
	}
	if got, err := Fetch(ctx, subject, nil); err != nil || len(got) != 1 {
		t.Errorf("Fetch with a signature and an SBOM = %d SBOMs, %v; want 1", len(got), err)
	}
}

func mustDigest(t *testing.T, s string) name.Digest {
	t.Helper()
	d, err := name.NewDigest(s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestAttachErrors(t *testing.T) {
	t.Parallel()
	img := testImage(t)
	bom, err := Make(img, testRepo)
	if err != nil {
		t.Fatal(err)
	}
	repo, _ := served(t, true, img)
	missing := repo + "@sha256:" + strings.Repeat("0", 64)

	_, err = Attach(context.Background(), missing, bom, nil)
	if !errors.Is(err, ErrRegistry) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Attach to an image the registry lacks = %v, want ErrRegistry naming %s", err, missing)
	}
	for _, bad := range []string{repo + ":1.2.3", "not a reference", ""} {
		if _, err := Attach(context.Background(), bad, bom, nil); err == nil ||
			!strings.Contains(err.Error(), "want repository@sha256:<digest>") {
			t.Errorf("Attach(%q) = %v, want an error asking for a digest reference", bad, err)
		}
		if _, err := Fetch(context.Background(), bad, nil); err == nil {
			t.Errorf("Fetch(%q) succeeded, want an error", bad)
		}
	}
}
