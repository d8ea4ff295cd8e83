package report

import (
	"net/url"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/whitemagic/whitemagic/ci/internal/checks"
	"github.com/whitemagic/whitemagic/ci/internal/pipeline"
)

// place is where a finding shows in the reports that need a file: SARIF and GitHub
// annotations. A finding that names a file keeps it. One that names only an image path or a
// container field is attached to the file that produced what it is about: the Dockerfile for
// the build and audit stages, the compose file for the hardened run (its settings come from
// there, as do the compose rules'), go.mod for the Go tests, and the Dockerfile for
// everything else, publishing included (the image it pushes). The path the finding named is
// kept as a logical location.
type place struct {
	File     string // slash-separated, relative to the source root unless Abs
	Abs      bool   // File is an absolute path outside the source root
	Line     int    // 0: the finding has no line
	Logical  string // the image path, container field or other non-file location
	Scope    string // what Logical is a path in: image, container, source, go, registry
	Attached bool   // File was chosen by stage because the finding named none
}

// placeOf works out where f, found by the named stage, shows.
func (o Options) placeOf(stage string, f checks.Finding) place {
	p := place{Line: f.Location.Line, Logical: f.Location.Path, Scope: scope(stage)}
	file := f.Location.File
	if file == "" {
		p.Attached = true
		switch {
		case stage == pipeline.StageHardened, strings.HasPrefix(f.Rule, "WM-CO-"):
			file = o.Compose
		case stage == pipeline.StageTest:
			file = "go.mod"
		default:
			file = o.Dockerfile
		}
	}
	p.File, p.Abs = o.relative(file)
	return p
}

// relative turns a file name from a finding into a slash path relative to the source root,
// or an absolute path when it lies outside it.
func (o Options) relative(file string) (string, bool) {
	if !filepath.IsAbs(file) {
		return path.Clean(filepath.ToSlash(file)), false
	}
	if root, err := filepath.Abs(o.Source); err == nil {
		if rel, err := filepath.Rel(root, file); err == nil && rel != ".." &&
			!strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.ToSlash(rel), false
		}
	}
	return filepath.ToSlash(file), true
}

// uri is the place's file as a SARIF artifact URI: a relative reference for files under the
// source root (resolved against SRCROOT), a file URI otherwise.
func (p place) uri() string {
	if p.Abs {
		return (&url.URL{Scheme: "file", Path: p.File}).String()
	}
	return (&url.URL{Path: p.File}).String()
}

// workspaceFile is the place's file relative to the GitHub workspace, which is what
// annotations name. Outside a workspace it is the source root joined with the file.
func (p place) workspaceFile(source, workspace string) string {
	if p.Abs {
		return p.File
	}
	full := filepath.Join(source, filepath.FromSlash(p.File))
	if workspace == "" {
		return filepath.ToSlash(full)
	}
	abs, err := filepath.Abs(full)
	if err != nil {
		return filepath.ToSlash(full)
	}
	rel, err := filepath.Rel(workspace, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

// suffix is what a message gains when its finding was attached to a file it does not name,
// so a reader of the annotation or alert still sees the path: " [image: config.User]".
func (p place) suffix() string {
	if !p.Attached || p.Logical == "" {
		return ""
	}
	return " [" + p.Scope + ": " + p.Logical + "]"
}

// ignorePlace is where the ignore that suppressed f is written, from its SuppressedBy
// (file:line), and whether that is the finding's own file (an inline ignore) rather than
// the policy file. ok is false when the finding records no place.
func (o Options) ignorePlace(f checks.Finding) (p place, inline, ok bool) {
	if f.SuppressedBy == "" {
		return place{}, false, false
	}
	file, line := f.SuppressedBy, 0
	if i := strings.LastIndex(file, ":"); i > 0 {
		if n, err := strconv.Atoi(file[i+1:]); err == nil && n > 0 {
			file, line = file[:i], n
		}
	}
	p.File, p.Abs = o.relative(file)
	p.Line = line
	own, _ := o.relative(f.Location.File)
	return p, f.Location.File != "" && own == p.File, true
}

// scope names what a stage's non-file locations are paths in.
func scope(stage string) string {
	switch stage {
	case pipeline.StageBuild, pipeline.StageAudit:
		return "image"
	case pipeline.StageHardened:
		return "container"
	case pipeline.StageTest:
		return "go"
	case pipeline.StagePublish:
		return "registry"
	}
	return "source"
}
