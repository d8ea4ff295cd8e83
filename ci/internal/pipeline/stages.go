package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/engine"
	"github.com/whitemagic/whitemagic/ci/internal/hardened"
	"github.com/whitemagic/whitemagic/ci/internal/release"
	"github.com/whitemagic/whitemagic/ci/internal/sbom"
)

// at makes a finding of a registered rule; a rule missing from the registry still fails.
func at(id, msg string, loc checks.Location) checks.Finding {
	if r, ok := checks.Lookup(id); ok {
		return r.At(msg, loc)
	}
	return checks.Finding{Rule: id, Severity: checks.Error, Message: msg, Location: loc}
}

func (st *run) lint(ctx context.Context) ([]checks.Finding, string, error) {
	// The policy file's own problems (an ignore without a reason) are reported here, once.
	all := append([]checks.Finding(nil), st.Config.Policy.Findings...)
	for _, f := range []struct {
		path  string
		check func(string, []byte) ([]checks.Finding, error)
	}{
		{st.Config.Dockerfile, checks.Dockerfile},
		{st.Config.Compose, checks.Compose},
	} {
		src, err := os.ReadFile(filepath.Join(st.Config.Source, f.path))
		if err != nil {
			return all, "", fmt.Errorf("reading %s: %w", f.path, err)
		}
		found, err := f.check(f.path, src)
		if err != nil {
			all = append(all, at("WM-PL-003", err.Error(), checks.Location{File: f.path}))
			continue
		}
		all = append(all, found...)
	}
	return all, "", nil
}

func (st *run) test(ctx context.Context) ([]checks.Finding, string, error) {
	res, err := st.Engine.Test(ctx, engine.TestSpec{Dir: st.Config.Source, Packages: st.Config.Packages})
	if err != nil {
		return nil, "", err
	}
	if res.Passed {
		return nil, "", nil
	}
	msg := "go vet or go test failed for " + strings.Join(st.Config.Packages, " ")
	return []checks.Finding{at("WM-PL-001", msg, checks.Location{Path: strings.Join(st.Config.Packages, " ")})},
		tail(res.Output, 40), nil
}

func (st *run) build(ctx context.Context) ([]checks.Finding, string, error) {
	spec := engine.BuildSpec{Context: st.Config.Source, Dockerfile: st.Config.Dockerfile,
		Args: st.Config.BuildArgs, Tag: st.tag}
	err := st.Engine.Build(ctx, spec, st.tarball)
	var be *engine.BuildError
	if errors.As(err, &be) {
		return []checks.Finding{at("WM-PL-002", be.Err.Error(), checks.Location{File: st.Config.Dockerfile})},
			tail(be.Log, 30), nil
	}
	if err != nil {
		return nil, "", err
	}
	img, err := tarball.ImageFromPath(st.tarball, nil)
	if err != nil {
		return nil, "", fmt.Errorf("reading the image tarball: %w", err)
	}
	if st.img, err = toOCI(img); err != nil {
		return nil, "", err
	}
	return nil, "", nil
}

func (st *run) audit(ctx context.Context) ([]checks.Finding, string, error) {
	found, err := checks.Image(st.img, st.Config.Budget)
	if err != nil {
		return nil, "", fmt.Errorf("auditing the image: %w", err)
	}
	if st.Config.SBOM == "" {
		return found, "", nil
	}
	bom, err := st.sbom()
	if err != nil {
		return found, "", err
	}
	return found, "", sbom.WriteFile(st.Config.SBOM, bom)
}

// sbom returns the audited image's SBOM, made on first use: the file -sbom writes and the
// artifact publishing attaches are the same document.
func (st *run) sbom() (*cdx.BOM, error) {
	if st.bom != nil {
		return st.bom, nil
	}
	bom, err := sbom.Make(st.img, st.Config.Repository())
	if err != nil {
		return nil, fmt.Errorf("making the SBOM: %w", err)
	}
	st.bom = bom
	return bom, nil
}

func (st *run) hardened(ctx context.Context) ([]checks.Finding, string, error) {
	src, err := os.ReadFile(filepath.Join(st.Config.Source, st.Config.Compose))
	if err != nil {
		return nil, "", fmt.Errorf("reading %s: %w", st.Config.Compose, err)
	}
	settings, err := hardened.FromCompose(src, st.Config.Service)
	if err != nil {
		return []checks.Finding{at("WM-PL-003", err.Error(), checks.Location{File: st.Config.Compose})}, "", nil
	}
	host, err := st.Engine.Host(ctx, st.tarball, st.tag)
	if err != nil {
		return nil, "", err
	}
	defer host.Close()
	out, err := hardened.Run(ctx, host, hardened.Spec{
		Image: st.tag, Settings: settings, RunID: st.Config.RunID, HealthTimeout: st.Config.HealthTimeout,
	})
	st.healthy = out.TimeToHealthy
	return out.Findings, out.Detail, err
}

func (st *run) publish(ctx context.Context, res *Result) ([]checks.Finding, string, error) {
	loc := checks.Location{Path: st.Config.Repository()}
	tags, found, err := st.releaseTags(ctx, res.Digest)
	if err != nil || checks.Failing(found, st.Config.Threshold) {
		return found, "", err
	}
	refs := make([]string, len(tags))
	for i, t := range tags {
		refs[i] = st.Config.Ref(t)
	}
	digest, err := st.Publisher.Publish(ctx, st.img, refs)
	if err != nil {
		return append(found, at("WM-PL-004", err.Error(), loc)), "", err
	}
	if digest != res.Digest {
		return append(found, at("WM-PL-004",
			fmt.Sprintf("the registry reports digest %s, the audited image is %s", digest, res.Digest),
			loc)), "", nil
	}
	for _, r := range refs {
		res.Published = append(res.Published, r+"@"+digest)
	}
	res.Tags = tags // a release's series tags held on a newer release are not among them
	if st.AttachSBOM == nil {
		return found, "", nil
	}
	bom, err := st.sbom()
	if err != nil {
		return found, "", err
	}
	if res.SBOM, err = st.AttachSBOM(ctx, st.Config.Repository()+"@"+digest, bom); err != nil {
		return append(found, at("WM-PL-004", "attaching the SBOM: "+err.Error(), loc)), "", err
	}
	return found, "", nil
}

// releaseTags returns the tags to publish: the configured ones, or in release mode those of
// the release plan that the guard lets through. A release tag that would move to another
// image is a failed check; a series tag held on a newer release is reported and skipped.
func (st *run) releaseTags(ctx context.Context, digest string) ([]string, []checks.Finding, error) {
	if st.Config.Release == nil {
		return st.Config.Tags, nil, nil
	}
	loc := checks.Location{Path: st.Config.Repository()}
	plan, held, err := st.Guard.Check(ctx, st.Config.Repository(), *st.Config.Release, digest)
	var move *release.MoveError
	if errors.As(err, &move) {
		return nil, []checks.Finding{at("WM-PL-005", move.Error(), loc)}, nil
	}
	if err != nil {
		return nil, []checks.Finding{at("WM-PL-004", err.Error(), loc)}, err
	}
	var found []checks.Finding
	for _, h := range held {
		found = append(found, at("WM-PL-006", fmt.Sprintf("%s stays on %s (version %s), newer than %s",
			h.Tag, h.Digest, h.Version, plan.Version), loc))
	}
	return plan.Names(), found, nil
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
