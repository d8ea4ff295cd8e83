package dagger

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"dagger.io/dagger"
	"github.com/Khan/genqlient/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

// failure sorts an error of the Dagger SDK by who is at fault.
type failure int

const (
	failNone failure = iota
	// failCancel: the caller's context ended (an interrupt, or another stage failed).
	failCancel
	// failExec: a command ran in a container and exited non-zero. The command's input is at
	// fault (a failing test, a docker command that refused), not the engine.
	failExec
	// failAPI: the engine answered and refused the request, e.g. an image it cannot pull, a
	// Dockerfile it cannot build.
	failAPI
	// failLost: the engine could not be reached, refused the session, or went away mid-run.
	failLost
)

// classify sorts err, returned by a call made with ctx. The SDK reports a failed command as
// *dagger.ExecError, any other refusal by the engine as a GraphQL error, a refused session as
// *graphql.HTTPError, and a broken connection as the transport's own error. A call whose
// context has ended is cancelled whatever the error says: errgroup cancels with the failing
// stage's error as the cause, and the HTTP client returns that cause, not context.Canceled.
func classify(ctx context.Context, err error) failure {
	var (
		execErr *dagger.ExecError
		httpErr *graphql.HTTPError
		gqlErr  *gqlerror.Error
	)
	switch {
	case err == nil:
		return failNone
	case ctx.Err() != nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return failCancel
	case errors.As(err, &execErr):
		return failExec
	case errors.As(err, &httpErr):
		return failLost
	case errors.As(err, &gqlErr):
		return failAPI
	default:
		return failLost
	}
}

// wrap gives err the context of what was being done and, for a refusal, the hint that lets a
// user act on it. A lost engine wraps engine.ErrUnavailable. Every such error ends the run
// with exit code 3; failures that are the source's fault are turned into findings before
// they get here (see Build and Test).
func wrap(ctx context.Context, doing string, err error, hint string) error {
	switch classify(ctx, err) {
	case failNone:
		return nil
	case failCancel:
		return fmt.Errorf("%s: %w", doing, err)
	case failExec:
		var e *dagger.ExecError
		errors.As(err, &e)
		return fmt.Errorf("%s: %s exited with code %d: %s", doing, strings.Join(e.Cmd, " "), e.ExitCode,
			lastLine(e.Stderr, e.Stdout))
	case failAPI:
		if hint != "" {
			return fmt.Errorf("%s: the Dagger engine reported: %v; %s", doing, oneLine(err), hint)
		}
		return fmt.Errorf("%s: the Dagger engine reported: %v", doing, oneLine(err))
	default:
		return fmt.Errorf("%w: %s: lost the Dagger engine: %v; check that it still runs "+
			"(`dagger core version` reaches it) and run the pipeline again", engine.ErrUnavailable, doing, oneLine(err))
	}
}

// lastLine returns the last non-empty line of the first text that has one.
func lastLine(texts ...string) string {
	for _, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			lines := strings.Split(t, "\n")
			return strings.TrimSpace(lines[len(lines)-1])
		}
	}
	return "(no output)"
}

// oneLine keeps an engine message readable in a report row: long multi-line messages are cut
// to their first line plus the last, where the cause usually is.
func oneLine(err error) string {
	msg := strings.TrimSpace(err.Error())
	lines := strings.Split(msg, "\n")
	if len(lines) <= 2 {
		return strings.Join(lines, " ")
	}
	return lines[0] + " … " + strings.TrimSpace(lines[len(lines)-1])
}
