package pipeline

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestToOCIKeepsConfigAndLayersAndAnnotates(t *testing.T) {
	t.Parallel()
	img, err := random.Image(512, 2)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.Config.User = "1000:1000"
	cfg.Config.Labels = map[string]string{
		"org.opencontainers.image.version":  "1.2.3",
		"org.opencontainers.image.revision": "abc",
		"org.opencontainers.image.title":    "whitemagic",
	}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}

	got, err := toOCI(img)
	if err != nil {
		t.Fatalf("toOCI() error = %v", err)
	}

	m, err := got.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.OCIManifestSchema1 || m.Config.MediaType != types.OCIConfigJSON {
		t.Errorf("media types = %s, %s, want OCI manifest and config", m.MediaType, m.Config.MediaType)
	}
	want := map[string]string{"org.opencontainers.image.version": "1.2.3", "org.opencontainers.image.revision": "abc"}
	if diff := cmp.Diff(want, m.Annotations); diff != "" {
		t.Errorf("annotations mismatch (-want +got):\n%s", diff)
	}
	gotCfg, err := got.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(cfg, gotCfg); diff != "" {
		t.Errorf("config changed (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(diffIDs(t, img), diffIDs(t, got)); diff != "" {
		t.Errorf("layers changed (-before +after):\n%s", diff)
	}
	for _, l := range m.Layers {
		if l.MediaType != types.OCILayer {
			t.Errorf("layer %s has media type %s, want %s", l.Digest, l.MediaType, types.OCILayer)
		}
	}
}

func diffIDs(t *testing.T, img v1.Image) []v1.Hash {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var ids []v1.Hash
	for _, l := range ls {
		id, err := l.DiffID()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}
