package pipeline

import (
	"time"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
)

// Modes of a run.
const (
	ModeCheck   = "check"   // every stage, never publishes
	ModePublish = "publish" // every stage, then publishes when all passed
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
	BuildArgs  map[string]string
	Packages   []string // Go packages the test stage vets and tests

	Budget        checks.ImageOptions
	Threshold     checks.Severity // findings at or above it fail their stage
	HealthTimeout time.Duration
	RunID         string // labels everything the run creates
}

// Ref returns the reference the image is published under for tag.
func (c Config) Ref(tag string) string {
	if c.Registry == "" {
		return c.Image + ":" + tag
	}
	return c.Registry + "/" + c.Image + ":" + tag
}
