// Package engine is the seam between the pipeline's stages and the container engine that
// carries them out. Stages depend on these interfaces only; how an engine reaches Docker,
// BuildKit or a Dagger session stays inside its own package.
package engine

import (
	"context"
	"errors"
	"io"
)

// ErrUnavailable reports that an engine cannot be reached at all. Errors wrapping it end the
// run with exit code 3.
var ErrUnavailable = errors.New("engine: unavailable")

// BuildError reports that the image build ran and failed: the Dockerfile or the source is at
// fault, not the engine. The pipeline reports it as a failed check.
type BuildError struct {
	// Log is the tail of the build's output.
	Log string
	Err error
}

func (e *BuildError) Error() string { return "building the image: " + e.Err.Error() }

// Unwrap returns the underlying error.
func (e *BuildError) Unwrap() error { return e.Err }

// BuildSpec says what to build.
type BuildSpec struct {
	// Context is the build context directory (the source tree).
	Context string
	// Dockerfile is the Dockerfile's path, relative to Context.
	Dockerfile string
	// Args are the build arguments.
	Args map[string]string
	// Tag names the image in the engine, for the stages that run it.
	Tag string
}

// TestSpec says which Go packages to vet and test.
type TestSpec struct {
	// Dir is the module root.
	Dir string
	// Packages are package patterns relative to Dir, such as "./service/...".
	Packages []string
}

// TestResult is the outcome of vetting and testing. A failing test is not an error: Passed is
// false and Output holds what the Go tool printed.
type TestResult struct {
	Passed bool
	Output string
}

// Engine is what the pipeline's stages ask of a container engine.
type Engine interface {
	// Name is the engine's name as given to -engine: "docker" or "dagger".
	Name() string
	// Build builds the image and writes its tarball (docker save / OCI layout tar) to dst.
	Build(ctx context.Context, spec BuildSpec, dst string) error
	// Test runs go vet and go test -race over the packages.
	Test(ctx context.Context, spec TestSpec) (TestResult, error)
	// Host gives a Docker daemon in which to run the built image hardened. The image of the
	// tarball at path is loaded there and tagged tag. Close the host when done.
	Host(ctx context.Context, tarball, tag string) (Host, error)
	// Close releases the engine's connection.
	Close() error
}

// Host is a Docker daemon reached through the docker CLI, in which the hardened run happens.
type Host interface {
	// Docker runs the docker CLI with args against the daemon, with stdin if not nil, and
	// returns its standard output and standard error. A non-zero exit is an error that
	// carries the command and its stderr.
	Docker(ctx context.Context, stdin io.Reader, args ...string) (stdout, stderr []byte, err error)
	// BindAddress is the host address ports are published on ("127.0.0.1" on a host daemon).
	BindAddress() string
	// URL returns the base URL ("http://host:port") at which the pipeline reaches a container
	// port that was published on BindAddress at hostPort.
	URL(ctx context.Context, hostPort int) (string, error)
	// ProcStatus returns the contents of /proc/<pid>/status for a process id as the daemon
	// reports it (State.Pid in docker inspect).
	ProcStatus(ctx context.Context, pid int) (string, error)
	// Close removes what the host started for the run.
	Close() error
}
