// Package publish pushes the exact image the pipeline audited to a registry and verifies the
// digest the registry reports.
package publish

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/whitemagic/whitemagic/ci/internal/imageref"
)

// ErrRegistry marks failures to reach or write to the registry.
var ErrRegistry = errors.New("registry")

// Registry publishes with go-containerregistry. Credentials come from
// WHITEMAGIC_REGISTRY_USERNAME and WHITEMAGIC_REGISTRY_PASSWORD when set, else from the
// docker config's keychain.
type Registry struct {
	Getenv func(string) string
}

// Publish writes img under each reference and returns the digest the registry reports,
// after checking every reference resolves to the image's own digest.
func (p Registry) Publish(ctx context.Context, img v1.Image, refs []string) (string, error) {
	want, err := img.Digest()
	if err != nil {
		return "", fmt.Errorf("computing the image digest: %w", err)
	}
	auth := p.Keychain()
	for _, r := range refs {
		ref, err := imageref.Tag(r)
		if err != nil {
			return "", fmt.Errorf("invalid image reference %q: %w", r, err)
		}
		opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(auth)}
		if err := remote.Write(ref, img, opts...); err != nil {
			return "", fmt.Errorf("%w: pushing %s: %v", ErrRegistry, r, err)
		}
		desc, err := remote.Head(ref, opts...)
		if err != nil {
			return "", fmt.Errorf("%w: reading back %s: %v", ErrRegistry, r, err)
		}
		if desc.Digest != want {
			return desc.Digest.String(), fmt.Errorf("%w: %s resolves to %s, want the audited %s", ErrRegistry, r, desc.Digest, want)
		}
	}
	return want.String(), nil
}

// staticKeychain serves one username and password for every registry.
type staticKeychain struct{ user, pass string }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return &authn.Basic{Username: k.user, Password: k.pass}, nil
}

// Keychain returns the credentials publishing uses, for the other registry calls of a run.
func (p Registry) Keychain() authn.Keychain {
	getenv := p.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if u := getenv("WHITEMAGIC_REGISTRY_USERNAME"); u != "" {
		return staticKeychain{u, getenv("WHITEMAGIC_REGISTRY_PASSWORD")}
	}
	return authn.DefaultKeychain
}
