package checks

import (
	"fmt"
	"strings"
)

// ignoreMarker starts an inline ignore comment:
//
//	# whitemagic:ignore WM-DF-008,WM-DF-007 reason: the base is pinned by the mirror
const ignoreMarker = "whitemagic:ignore"

// ignore is one parsed ignore, inline or from the policy file.
type ignore struct {
	at     string // file:line where it is written
	line   int
	rules  []string
	reason string
	from   int // the lines it covers (inline ignores only)
	to     int
	used   bool
}

// parseIgnore reads the text after the marker: rule IDs separated by commas or spaces, then
// "reason:" and the reason.
func parseIgnore(text string) (rules []string, reason string) {
	ids, why, _ := strings.Cut(text, "reason:")
	for _, id := range strings.FieldsFunc(ids, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		rules = append(rules, strings.TrimSpace(id))
	}
	return rules, strings.TrimSpace(why)
}

// validate returns the findings an ignore is itself: one without a reason, or naming no
// known rule, ignores nothing.
func (ig *ignore) validate(file string) []Finding {
	loc := Location{File: file, Line: ig.line}
	var unknown []string
	for _, id := range ig.rules {
		if _, ok := Lookup(id); !ok || strings.HasPrefix(id, "WM-IG-") {
			unknown = append(unknown, id)
		}
	}
	switch {
	case len(ig.rules) == 0:
		return []Finding{rule("WM-IG-002").At("the ignore names no rule", loc)}
	case len(unknown) > 0:
		return []Finding{rule("WM-IG-002").At(fmt.Sprintf("the ignore names %s, which is not a rule that can be ignored",
			strings.Join(unknown, ", ")), loc)}
	case ig.reason == "":
		return []Finding{rule("WM-IG-001").At("the ignore of "+strings.Join(ig.rules, ", ")+" gives no reason", loc)}
	}
	return nil
}

// matches reports whether the ignore covers a finding's rule.
func (ig *ignore) matches(id string) bool {
	for _, r := range ig.rules {
		if r == id {
			return true
		}
	}
	return false
}

// suppress marks f as ignored by ig.
func (ig *ignore) suppress(f *Finding) {
	f.Suppressed, f.SuppressedBy = ig.reason, ig.at
	ig.used = true
}

// coverFunc returns the lines an ignore comment on line covers; trailing says whether the
// comment follows content on its own line.
type coverFunc func(line int, trailing bool) (from, to int)

// commentFunc returns the comment text of a source line and whether it trails content.
type commentFunc func(line string) (text string, trailing, ok bool)

// applyInline applies the ignore comments of one source file to the findings made in it and
// adds the findings the comments themselves cause.
func applyInline(file string, src []byte, comment commentFunc, cover coverFunc, fs []Finding) []Finding {
	var igs []*ignore
	for i, line := range strings.Split(string(src), "\n") {
		text, trailing, ok := comment(line)
		_, after, found := strings.Cut(text, ignoreMarker)
		if !ok || !found {
			continue
		}
		ig := &ignore{at: fmt.Sprintf("%s:%d", file, i+1), line: i + 1}
		ig.rules, ig.reason = parseIgnore(after)
		if bad := ig.validate(file); len(bad) > 0 {
			fs = append(fs, bad...)
			continue
		}
		ig.from, ig.to = cover(i+1, trailing)
		igs = append(igs, ig)
	}
	for i := range fs {
		f := &fs[i]
		if f.Suppressed != "" || f.Location.File != file {
			continue
		}
		for _, ig := range igs {
			if ig.matches(f.Rule) && f.Location.Line >= ig.from && f.Location.Line <= ig.to {
				ig.suppress(f)
				break
			}
		}
	}
	for _, ig := range igs {
		if !ig.used {
			fs = append(fs, rule("WM-IG-003").At("the ignore of "+strings.Join(ig.rules, ", ")+" matches no finding",
				Location{File: file, Line: ig.line}))
		}
	}
	sortFindings(fs)
	return fs
}

// dockerfileComment recognises Dockerfile comments, which take a whole line.
func dockerfileComment(line string) (string, bool, bool) {
	t := strings.TrimSpace(line)
	if !strings.HasPrefix(t, "#") {
		return "", false, false
	}
	return t[1:], false, true
}

// instructionCover makes a coverFunc for a Dockerfile: a comment covers the instruction it
// sits in (a comment between continuation lines) or the next instruction after it.
func instructionCover(spans [][2]int) coverFunc {
	return func(line int, _ bool) (int, int) {
		for _, s := range spans {
			if line >= s[0] && line <= s[1] {
				return s[0], s[1]
			}
		}
		for _, s := range spans {
			if s[0] > line {
				return s[0], s[1]
			}
		}
		return line, line
	}
}

// yamlComment finds the comment of a YAML line: a # at the start or after a blank, outside
// quotes.
func yamlComment(line string) (string, bool, bool) {
	var quote byte
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quote == '"' && c == '\\':
			i++
		case quote != 0 && c == quote:
			quote = 0
		case quote != 0:
		case c == '"' || c == '\'':
			if i == 0 || strings.IndexByte(" \t:-[{,", line[i-1]) >= 0 {
				quote = c
			}
		case c == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t'):
			return line[i+1:], strings.TrimSpace(line[:i]) != "", true
		}
	}
	return "", false, false
}

// blockCover makes a coverFunc for YAML: a comment covers the line it trails, or else the
// next line with content, and in both cases the block the key on that line opens: every more
// indented line below it, and the "- " items at its own indentation that YAML also allows.
func blockCover(src []byte) coverFunc {
	lines := strings.Split(string(src), "\n")
	content := func(l string) bool {
		t := strings.TrimSpace(l)
		return t != "" && !strings.HasPrefix(t, "#")
	}
	lead := func(l string) int { return len(l) - len(strings.TrimLeft(l, " \t")) }
	return func(line int, trailing bool) (int, int) {
		start := line - 1
		if !trailing {
			for start++; start < len(lines) && !content(lines[start]); start++ {
			}
		}
		if start >= len(lines) {
			return line, line
		}
		head := strings.TrimSpace(lines[start])
		if text, _, ok := yamlComment(lines[start]); ok {
			head = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(lines[start]), "#"+text))
		}
		opensList := strings.HasSuffix(head, ":") && !strings.HasPrefix(head, "- ")
		end, base := start, lead(lines[start])
		for j := start + 1; j < len(lines); j++ {
			if !content(lines[j]) {
				continue
			}
			l := lead(lines[j])
			item := strings.HasPrefix(strings.TrimSpace(lines[j]), "- ") || strings.TrimSpace(lines[j]) == "-"
			if l < base || l == base && !(opensList && item) {
				break
			}
			end = j
		}
		return start + 1, end + 1
	}
}
