package report

import (
	"io"
	"os"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// ColorEnabled reports whether output to w may use colour: w must be an *os.File that is a
// character device (a terminal), NO_COLOR must be unset or empty, and TERM must not be
// "dumb". Pipes, files and buffers always get plain text.
func ColorEnabled(w io.Writer, getenv func(string) string) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	if getenv("NO_COLOR") != "" || getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// palette wraps text in ANSI SGR sequences when on is set.
type palette struct{ on bool }

func (p palette) wrap(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

func (p palette) bold(s string) string { return p.wrap("1", s) }
func (p palette) dim(s string) string  { return p.wrap("2", s) }

func (p palette) status(st pipeline.Status, s string) string {
	switch st {
	case pipeline.Passed:
		return p.wrap("32", s)
	case pipeline.Failed:
		return p.wrap("1;31", s)
	case pipeline.Errored:
		return p.wrap("1;35", s)
	}
	return p.wrap("2", s)
}

func (p palette) severity(sev checks.Severity, s string) string {
	switch sev {
	case checks.Error:
		return p.wrap("31", s)
	case checks.Warning:
		return p.wrap("33", s)
	}
	return p.wrap("36", s)
}
