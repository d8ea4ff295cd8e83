package sbom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/whitemagic/whitemagic/ci/internal/imageref"
)

// ArtifactType is the artifact type of an attached SBOM, and the media type of its one layer:
// CycloneDX JSON's registered media type.
const ArtifactType = "application/vnd.cyclonedx+json"

// emptyType is the OCI 1.1 empty config an artifact without a config of its own points at.
const emptyType types.MediaType = "application/vnd.oci.empty.v1+json"

// maxSBOM bounds how much of an attached SBOM Fetch reads.
const maxSBOM = 64 << 20

// ErrRegistry marks failures to reach, read or write the registry.
var ErrRegistry = errors.New("sbom: registry")

// Attach pushes bom to the registry as an OCI 1.1 artifact whose subject is the image that
// subject names ("ghcr.io/acme/whitemagic@sha256:..."), and returns the artifact's
// reference. kc resolves credentials; nil means the docker config's keychain.
//
// The artifact's manifest has artifactType application/vnd.cyclonedx+json, the empty config
// and one layer holding the BOM. A registry with the OCI referrers API lists it under the
// image's digest by itself; for one without, the push also updates the image index tagged
// sha256-<hex of the image digest> (the referrers tag schema), which is how clients such as
// oras, crane and cosign find it there.
func Attach(ctx context.Context, subject string, bom *cdx.BOM, kc authn.Keychain) (string, error) {
	d, err := parseDigest(subject)
	if err != nil {
		return "", err
	}
	opts := options(ctx, kc)
	sub, err := remote.Head(d, opts...)
	if err != nil {
		return "", fmt.Errorf("%w: reading the image %s: %v", ErrRegistry, subject, err)
	}

	var buf bytes.Buffer
	if err := Encode(&buf, bom); err != nil {
		return "", err
	}
	config := static.NewLayer([]byte("{}"), emptyType)
	layer := static.NewLayer(buf.Bytes(), ArtifactType)
	for _, l := range []v1.Layer{config, layer} {
		if err := remote.WriteLayer(d.Context(), l, opts...); err != nil {
			return "", fmt.Errorf("%w: uploading the SBOM to %s: %v", ErrRegistry, d.Context(), err)
		}
	}

	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  ArtifactType,
		Config:        descriptor(config),
		Layers:        []v1.Descriptor{descriptor(layer)},
		Subject:       &v1.Descriptor{MediaType: sub.MediaType, Size: sub.Size, Digest: sub.Digest},
	}
	m.Layers[0].Annotations = map[string]string{"org.opencontainers.image.title": FileName}
	if bom.Metadata != nil && bom.Metadata.Timestamp != "" {
		m.Annotations = map[string]string{"org.opencontainers.image.created": bom.Metadata.Timestamp}
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encoding the SBOM manifest: %w", err)
	}
	h, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	ref := d.Context().Digest(h.String())
	if err := remote.Put(ref, rawManifest{raw}, opts...); err != nil {
		return "", fmt.Errorf("%w: pushing the SBOM manifest to %s: %v", ErrRegistry, ref, err)
	}
	return ref.String(), nil
}

// Fetch returns the SBOMs attached to the image subject names, through the referrers API or
// the referrers tag, in the order the registry lists them; none is not an error.
func Fetch(ctx context.Context, subject string, kc authn.Keychain) ([]*cdx.BOM, error) {
	d, err := parseDigest(subject)
	if err != nil {
		return nil, err
	}
	opts := options(ctx, kc)
	idx, err := remote.Referrers(d, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: listing what refers to %s: %v", ErrRegistry, subject, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("%w: reading the referrers of %s: %v", ErrRegistry, subject, err)
	}

	var boms []*cdx.BOM
	for _, desc := range im.Manifests {
		// Registries disagree on the artifactType they list (some give the config's media
		// type), so each referrer's own manifest decides.
		bom, err := fetchOne(d.Context().Digest(desc.Digest.String()), opts)
		if err != nil {
			return nil, err
		}
		if bom != nil {
			boms = append(boms, bom)
		}
	}
	return boms, nil
}

// fetchOne reads the SBOM in the artifact ref names, or nil when it is another kind of
// artifact (a signature, an attestation).
func fetchOne(ref name.Digest, opts []remote.Option) (*cdx.BOM, error) {
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrRegistry, ref, err)
	}
	var m v1.Manifest
	if err := json.Unmarshal(desc.Manifest, &m); err != nil {
		return nil, fmt.Errorf("reading the manifest of %s: %w", ref, err)
	}
	if m.ArtifactType != ArtifactType && string(m.Config.MediaType) != ArtifactType {
		return nil, nil
	}
	for _, l := range m.Layers {
		if string(l.MediaType) != ArtifactType {
			continue
		}
		blob, err := remote.Layer(ref.Context().Digest(l.Digest.String()), opts...)
		if err != nil {
			return nil, fmt.Errorf("%w: reading the SBOM layer of %s: %v", ErrRegistry, ref, err)
		}
		rc, err := blob.Compressed()
		if err != nil {
			return nil, fmt.Errorf("%w: reading the SBOM layer of %s: %v", ErrRegistry, ref, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxSBOM+1))
		if err != nil {
			return nil, fmt.Errorf("%w: reading the SBOM layer of %s: %v", ErrRegistry, ref, err)
		}
		if len(b) > maxSBOM {
			return nil, fmt.Errorf("the SBOM in %s is larger than %d bytes", ref, maxSBOM)
		}
		if got, _, _ := v1.SHA256(bytes.NewReader(b)); got != l.Digest {
			return nil, fmt.Errorf("the SBOM in %s has digest %s, its manifest says %s", ref, got, l.Digest)
		}
		bom, err := Decode(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("reading the SBOM in %s: %w", ref, err)
		}
		return bom, nil
	}
	return nil, fmt.Errorf("the SBOM artifact %s has no %s layer", ref, ArtifactType)
}

// rawManifest is a manifest pushed as the exact bytes it was encoded to.
type rawManifest struct{ raw []byte }

func (r rawManifest) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

func descriptor(l v1.Layer) v1.Descriptor {
	// A static layer computes these from bytes in memory; they cannot fail.
	d, _ := l.Digest()
	n, _ := l.Size()
	mt, _ := l.MediaType()
	return v1.Descriptor{MediaType: mt, Size: n, Digest: d}
}

func options(ctx context.Context, kc authn.Keychain) []remote.Option {
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	return []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(kc)}
}

// parseDigest reads repo@sha256:....
func parseDigest(s string) (name.Digest, error) {
	d, err := imageref.Digest(s)
	if err != nil {
		return name.Digest{}, fmt.Errorf("image reference %q: want repository@sha256:<digest>: %w", s, err)
	}
	return d, nil
}
