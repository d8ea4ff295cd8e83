package report

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// clean makes untrusted text (container logs, test output, messages built from image
// contents) safe to print: every control character except newline and tab is written as a
// visible escape, so a hostile log line cannot move the cursor, recolour the terminal or
// hide text. Carriage returns become escapes too: "\r" alone would let a line overwrite the
// one before it. (Workflow commands in such text are disarmed separately: see github.go.)
func clean(s string) string {
	if strings.IndexFunc(s, unsafeRune) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case unsafeRune(r) && r <= 0xff:
			fmt.Fprintf(&b, "\\x%02x", r)
		case unsafeRune(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// unsafeRune reports control characters and the bidirectional overrides that can make
// text read differently from what it is.
func unsafeRune(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// duration formats a stage or run duration for people: "850ms", "12.3s", "2m05s".
func duration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}

// millis is a duration in whole milliseconds, the unit of the JSON report.
func millis(d time.Duration) int64 { return d.Round(time.Millisecond).Milliseconds() }

// plural writes n and the noun, adding s unless n is one.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
