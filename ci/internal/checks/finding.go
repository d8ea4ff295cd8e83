// Package checks holds the pipeline's security and hygiene rules: pure functions over parsed
// Dockerfiles, compose projects, image tarballs and container inspections. Nothing here runs a
// command, reaches the network or imports an engine.
package checks

import (
	"fmt"
	"strconv"
)

// Severity orders findings. A run fails when a finding is at or above its threshold.
type Severity int

// The severities, lowest first.
const (
	Info Severity = iota
	Warning
	Error
)

// String returns the lowercase name used in reports and configuration.
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "severity(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText writes the severity's name, so JSON reports read "error", not 2.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads "info", "warning" or "error".
func ParseSeverity(s string) (Severity, error) {
	switch s {
	case "info":
		return Info, nil
	case "warning":
		return Warning, nil
	case "error":
		return Error, nil
	}
	return 0, fmt.Errorf("unknown severity %q: want info, warning or error", s)
}

// Location says where a finding was made. File and Line point into a source file; Path names
// a file inside an image or a field of a container or compose service.
type Location struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Path string `json:"path,omitempty"`
}

// String formats the location as file:line, file, or path.
func (l Location) String() string {
	switch {
	case l.File != "" && l.Line > 0 && l.Path != "":
		return fmt.Sprintf("%s:%d (%s)", l.File, l.Line, l.Path)
	case l.File != "" && l.Line > 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	case l.File != "" && l.Path != "":
		return l.File + " (" + l.Path + ")"
	case l.File != "":
		return l.File
	}
	return l.Path
}

// Finding is one rule's verdict on one place. A suppressed finding was ignored on purpose: it
// stays in every report, marked with the reason and the place the ignore is written, and it
// never fails a stage.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Location Location `json:"location"`
	Fix      string   `json:"fix,omitempty"`
	// Suppressed is the reason given for ignoring the finding; empty when it is not ignored.
	Suppressed string `json:"suppressed,omitempty"`
	// SuppressedBy is where the ignore that matched is written, as file:line.
	SuppressedBy string `json:"suppressed_by,omitempty"`
}
