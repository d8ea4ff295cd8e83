package pipeline

import (
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// annotated are the OCI labels that are also written as manifest annotations, so that a
// registry or a client that reads only the manifest sees the version, revision, build time and
// source without fetching the config.
var annotated = []string{
	"org.opencontainers.image.version",
	"org.opencontainers.image.revision",
	"org.opencontainers.image.created",
	"org.opencontainers.image.source",
}

// ociLayer presents a layer with the OCI media type for a gzipped tar.
type ociLayer struct{ v1.Layer }

func (ociLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }

// toOCI returns img as an OCI image whose manifest carries the annotated labels. Docker's
// image format has no manifest annotations, so the built image is rewritten as OCI: the same
// config, the same layers, other media types. The result is what the audit reads and what
// publishing pushes, so the audited digest and the published one stay the same.
func toOCI(img v1.Image) (v1.Image, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading the image config: %w", err)
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, fmt.Errorf("reading the image layers: %w", err)
	}
	adds := make([]mutate.Addendum, len(layers))
	for i, l := range layers {
		adds[i] = mutate.Addendum{Layer: ociLayer{l}}
	}
	base := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
	out, err := mutate.Append(base, adds...)
	if err != nil {
		return nil, fmt.Errorf("rewriting the image as OCI: %w", err)
	}
	// Append adds history entries of its own; the built config replaces them whole.
	if out, err = mutate.ConfigFile(out, cfg); err != nil {
		return nil, fmt.Errorf("rewriting the image as OCI: %w", err)
	}
	ann := map[string]string{}
	for _, k := range annotated {
		if v := cfg.Config.Labels[k]; v != "" {
			ann[k] = v
		}
	}
	if len(ann) == 0 {
		return out, nil
	}
	return mutate.Annotations(out, ann).(v1.Image), nil
}
