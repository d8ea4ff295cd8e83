package dagger

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/whitemagic/whitemagic/ci/internal/engine"
)

// TestClassify sorts the errors the SDK really returns for each way a request can fail.
func TestClassify(t *testing.T) {
	tests := []struct {
		name string
		// setup breaks the fake engine, or the context, the way the case needs
		setup       func(f *fakeEngine, cancel context.CancelFunc)
		want        failure
		unavailable bool     // wrap's error wraps engine.ErrUnavailable
		says        []string // wrap's message contains each
	}{
		{"answered", func(*fakeEngine, context.CancelFunc) {}, failNone, false, nil},
		{"command failed", func(f *fakeEngine, _ context.CancelFunc) {
			f.fail = func(string) map[string]any {
				return execError([]string{"go", "test", "./..."}, 2, "--- FAIL: TestX", "FAIL\nexit status 1")
			}
		}, failExec, false, []string{"go test ./... exited with code 2", "exit status 1"}},
		{"image not pullable", func(f *fakeEngine, _ context.CancelFunc) {
			f.fail = func(string) map[string]any {
				return apiError("failed to resolve source metadata for docker.io/library/nope:1: pull access denied")
			}
		}, failAPI, false, []string{"pull access denied", "the hint"}},
		{"session refused", func(f *fakeEngine, _ context.CancelFunc) { f.status = 401 },
			failLost, true, []string{"lost the Dagger engine"}},
		{"engine gone", func(f *fakeEngine, _ context.CancelFunc) { f.srv.Close() },
			failLost, true, []string{"lost the Dagger engine", "dagger core version"}},
		{"interrupted", func(_ *fakeEngine, cancel context.CancelFunc) { cancel() },
			failCancel, false, []string{"context canceled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeEngine(t)
			c := f.client(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			tt.setup(f, cancel)

			_, err := c.Container().From("alpine:3").Sync(ctx)
			if got := classify(ctx, err); got != tt.want {
				t.Fatalf("classify(%v) = %d, want %d", err, got, tt.want)
			}
			wrapped := wrap(ctx, "pulling alpine:3", err, "the hint")
			if tt.want == failNone {
				if wrapped != nil {
					t.Errorf("wrap(nil) = %v, want nil", wrapped)
				}
				return
			}
			if got := errors.Is(wrapped, engine.ErrUnavailable); got != tt.unavailable {
				t.Errorf("errors.Is(%v, engine.ErrUnavailable) = %v, want %v", wrapped, got, tt.unavailable)
			}
			if tt.want == failCancel && !errors.Is(wrapped, context.Canceled) {
				t.Errorf("wrap(%v) = %v, which no longer is context.Canceled", err, wrapped)
			}
			for _, s := range append(tt.says, "pulling alpine:3") {
				if !strings.Contains(wrapped.Error(), s) {
					t.Errorf("wrap(...) = %q, want it to contain %q", wrapped, s)
				}
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	tests := []struct{ in, want string }{
		{"short", "short"},
		{"first\nsecond", "first second"},
		{"solve failed\nstep 1\nstep 2\ncause: no space left", "solve failed … cause: no space left"},
	}
	for _, tt := range tests {
		if got := oneLine(errors.New(tt.in)); got != tt.want {
			t.Errorf("oneLine(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLastLine(t *testing.T) {
	tests := []struct {
		texts []string
		want  string
	}{
		{[]string{"a\nb\n", "c"}, "b"},
		{[]string{"  \n", "out line"}, "out line"},
		{[]string{"", ""}, "(no output)"},
	}
	for _, tt := range tests {
		if got := lastLine(tt.texts...); got != tt.want {
			t.Errorf("lastLine(%q) = %q, want %q", tt.texts, got, tt.want)
		}
	}
}

// TestClassifyCancelledByASibling: errgroup cancels the other stages with the failing stage's
// error as the cause, and the HTTP client returns that cause instead of context.Canceled. The
// call is still cancelled, not an engine that went away.
func TestClassifyCancelledByASibling(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancelCause(t.Context())
	cause := errors.New("hardened-run: the Docker daemon did not start")
	cancel(cause)
	err := fmt.Errorf(`Post "http://dagger/query": %w`, cause)
	if got := classify(ctx, err); got != failCancel {
		t.Errorf("classify(cancelled ctx, %v) = %d, want failCancel (%d)", err, got, failCancel)
	}
	if wrapped := wrap(ctx, "testing", err, ""); errors.Is(wrapped, engine.ErrUnavailable) {
		t.Errorf("wrap(cancelled ctx, %v) = %v, which claims the engine is unavailable", err, wrapped)
	}
	if got := classify(t.Context(), err); got != failLost {
		t.Errorf("classify(live ctx, %v) = %d, want failLost (%d)", err, got, failLost)
	}
}
