package pipeline

import (
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/release"
)

// Modes of a run.
const (
	ModeCheck   = "check"   // every stage, never publishes
	ModePublish = "publish" // every stage, then publishes when all passed
	ModeRelease = "release" // every stage, then publishes a release's tags when all passed
)

// Config is one run's validated configuration.
type Config struct {
	Mode       string
	Source     string // the source tree: the build context and Go module root
	Dockerfile string // relative to Source
	Compose    string // relative to Source
	Service    string // the compose service the hardened run copies its settings from
	Image      string // repository name, e.g. "whitemagic" or "ghcr.io/acme/whitemagic"
	Registry   string // registry host[:port] publishing goes to; empty in check mode
	Tags       []string
	// Release is what a release run publishes; Tags are its tag names. Nil in other modes.
	Release *release.Plan
	// SBOM, when set, is the file the audited image's CycloneDX SBOM is written to.
	SBOM      string
	BuildArgs map[string]string
	Packages  []string // Go packages the test stage vets and tests

	Budget        checks.ImageOptions
	Threshold     checks.Severity // findings at or above it fail their stage
	Policy        checks.Policy   // the source's .whitemagic.yml: ignores, each with a reason
	HealthTimeout time.Duration
	RunID         string // labels everything the run creates
}

// Publishes reports whether the mode pushes the image when every stage passed.
func (c Config) Publishes() bool { return c.Mode == ModePublish || c.Mode == ModeRelease }

// Repository returns the repository the image is published to, registry included.
func (c Config) Repository() string {
	if c.Registry == "" {
		return c.Image
	}
	return c.Registry + "/" + c.Image
}

// Ref returns the reference the image is published under for tag.
func (c Config) Ref(tag string) string { return c.Repository() + ":" + tag }
