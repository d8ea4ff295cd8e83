package release

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/whitemagic/whitemagic/ci/internal/imageref"
)

// ErrRegistry marks failures to reach or read the registry while guarding a release.
var ErrRegistry = errors.New("release: registry")

// VersionLabel is the image label that carries an image's version.
const VersionLabel = "org.opencontainers.image.version"

// MoveError reports that publishing would point a fixed release tag at another image.
type MoveError struct {
	Ref      string // the tag's full reference
	Existing string // the digest the registry holds under it
	New      string // the digest the run would publish
}

func (e *MoveError) Error() string {
	return fmt.Sprintf("refusing to move release tag %s from %s to %s: a published release "+
		"never changes; tag a new version to publish this image", e.Ref, e.Existing, e.New)
}

// Held is a series tag left where it is because it already names a newer release.
type Held struct {
	Tag     string
	Version string // the version of the image the tag names
	Digest  string
}

// Guard reads a registry before a release is published.
type Guard struct {
	// Keychain resolves registry credentials; nil means the docker config's keychain.
	Keychain authn.Keychain
}

// Check decides which of plan's tags may name digest in repo ("ghcr.io/acme/whitemagic",
// "127.0.0.1:5000/whitemagic"). It returns the plan to publish and the series tags it holds
// back; the error is a *MoveError when a fixed tag already names another image, and wraps
// ErrRegistry when the registry cannot be read.
//
// Fixed tags may be published again only with the digest they already name, so a re-run of a
// release is harmless. Series tags move forward only: one that names an image whose version
// label is newer than plan.Version is held back, so releasing v1.4.9 after v1.5.0 keeps 1 and
// latest on 1.5.0; an image without a readable version label is assumed older. Moving tags
// are not read.
//
// The registry is read before the push, not locked: a run publishing the same tag at the same
// moment can still win the race. Registries offer no conditional tag update to close it.
func (g Guard) Check(ctx context.Context, repo string, plan Plan, digest string) (Plan, []Held, error) {
	want, err := v1.NewHash(digest)
	if err != nil {
		return Plan{}, nil, fmt.Errorf("digest %q: %w", digest, err)
	}
	var newVersion Version
	if plan.hasSeries() {
		if newVersion, err = ParseVersion(plan.Version); err != nil {
			return Plan{}, nil, fmt.Errorf("plan version %q: %w", plan.Version, err)
		}
	}

	out := Plan{Version: plan.Version}
	var held []Held
	for _, t := range plan.Tags {
		if t.Kind == Moving {
			out.Tags = append(out.Tags, t)
			continue
		}
		ref, err := reference(repo, t.Name)
		if err != nil {
			return Plan{}, nil, err
		}
		opts := g.options(ctx)
		desc, err := remote.Head(ref, opts...)
		if notFound(err) {
			out.Tags = append(out.Tags, t)
			continue
		}
		if err != nil {
			return Plan{}, nil, fmt.Errorf("%w: reading %s: %v", ErrRegistry, ref, err)
		}
		if desc.Digest == want {
			out.Tags = append(out.Tags, t)
			continue
		}
		if t.Kind == Fixed {
			return Plan{}, nil, &MoveError{Ref: ref.String(), Existing: desc.Digest.String(), New: want.String()}
		}

		current, err := versionAt(ref, opts)
		if err != nil {
			return Plan{}, nil, err
		}
		if current != nil && current.Compare(newVersion) > 0 {
			held = append(held, Held{Tag: t.Name, Version: current.String(), Digest: desc.Digest.String()})
			continue
		}
		out.Tags = append(out.Tags, t)
	}
	return out, held, nil
}

func (p Plan) hasSeries() bool {
	for _, t := range p.Tags {
		if t.Kind == Series {
			return true
		}
	}
	return false
}

func (g Guard) options(ctx context.Context) []remote.Option {
	kc := g.Keychain
	if kc == nil {
		kc = authn.DefaultKeychain
	}
	return []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(kc)}
}

// versionAt reads the version label (or, failing that, the manifest annotation) of the image
// ref names; nil when it has none that parses. An index is read for its linux/amd64 image.
func versionAt(ref name.Reference, opts []remote.Option) (*Version, error) {
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %v", ErrRegistry, ref, err)
	}
	img, err := desc.Image()
	if err != nil {
		return nil, fmt.Errorf("%w: reading the image %s names: %v", ErrRegistry, ref, err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("%w: reading the config of %s: %v", ErrRegistry, ref, err)
	}
	label := cfg.Config.Labels[VersionLabel]
	if label == "" {
		if m, err := img.Manifest(); err == nil {
			label = m.Annotations[VersionLabel]
		}
	}
	v, err := ParseVersion(strings.TrimPrefix(label, "v"))
	if err != nil {
		return nil, nil
	}
	return &v, nil
}

func notFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}

// reference joins repo and tag.
func reference(repo, tag string) (name.Tag, error) {
	s := repo + ":" + tag
	t, err := imageref.Tag(s)
	if err != nil {
		return name.Tag{}, fmt.Errorf("image reference %q: %w", s, err)
	}
	return t, nil
}
