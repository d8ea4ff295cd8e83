package checks

import (
	"path"
	"strings"
)

// command is one simple command of a shell script: its words with quotes removed, and
// whether its output is piped into the next command.
type command struct {
	words []string
	piped bool
}

// splitShell cuts a POSIX shell script into simple commands. It knows quotes, backslash
// escapes, comments and the operators ; & && || | ( ) and newlines, which is what the
// package-manager and sudo rules need; it expands nothing, so `$(...)` and backquotes stay
// inside the word that holds them.
func splitShell(script string) []command {
	var (
		out   []command
		words []string
		word  strings.Builder
		inW   bool // a word has started, even if empty ("")
	)
	endWord := func() {
		if inW {
			words = append(words, word.String())
		}
		word.Reset()
		inW = false
	}
	endCmd := func(piped bool) {
		endWord()
		if len(words) > 0 {
			out = append(out, command{words: words, piped: piped})
		}
		words = nil
	}
	for i := 0; i < len(script); i++ {
		c := script[i]
		switch {
		case c == '\\' && i+1 < len(script):
			i++
			if script[i] != '\n' {
				word.WriteByte(script[i])
				inW = true
			}
		case c == '\'':
			j := strings.IndexByte(script[i+1:], '\'')
			if j < 0 {
				j = len(script) - i - 1
			}
			word.WriteString(script[i+1 : i+1+j])
			inW = true
			i += j + 1
		case c == '"':
			i = doubleQuoted(script, i+1, &word)
			inW = true
		case c == '#' && !inW:
			for i < len(script) && script[i] != '\n' {
				i++
			}
			endCmd(false)
		case c == ' ' || c == '\t' || c == '\r':
			endWord()
		case c == '\n' || c == ';' || c == '(' || c == ')':
			endCmd(false)
		case c == '&':
			if i+1 < len(script) && script[i+1] == '&' {
				i++
			}
			endCmd(false)
		case c == '|':
			if i+1 < len(script) && script[i+1] == '|' {
				i++
				endCmd(false)
			} else {
				endCmd(true)
			}
		default:
			word.WriteByte(c)
			inW = true
		}
	}
	endCmd(false)
	return out
}

// doubleQuoted copies a double-quoted string starting after its opening quote into w and
// returns the index of the closing quote.
func doubleQuoted(s string, i int, w *strings.Builder) int {
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i
		case c == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`\n", s[i+1]) >= 0:
			i++
			if s[i] != '\n' {
				w.WriteByte(s[i])
			}
		default:
			w.WriteByte(c)
		}
	}
	return i
}

// shells are the programs that run a script given with -c.
var shells = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true, "ksh": true}

// simple unwraps one command: it drops leading VAR=value assignments and wrappers such as
// env, exec and nohup, and reports whether sudo was among them. assigned collects the
// assignments, so that e.g. PIP_NO_CACHE_DIR=1 pip install counts.
func (c command) simple() (words []string, sudo bool, assigned map[string]string) {
	words = c.words
	assigned = map[string]string{}
	for len(words) > 0 {
		w := words[0]
		if k, v, ok := strings.Cut(w, "="); ok && isName(k) {
			assigned[k] = v
			words = words[1:]
			continue
		}
		switch path.Base(w) {
		case "sudo", "doas":
			sudo = true
			words = skipOptions(words[1:], "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U")
		case "env":
			words = skipOptions(words[1:], "-u", "-C", "-S")
		case "exec", "command", "nohup", "time", "nice", "stdbuf", "builtin":
			words = skipOptions(words[1:], "-n")
		case "do", "then", "else", "elif", "if", "while", "until", "!", "{":
			words = words[1:]
		default:
			return words, sudo, assigned
		}
	}
	return words, sudo, assigned
}

// skipOptions drops leading options; those listed take a separate value.
func skipOptions(words []string, withValue ...string) []string {
	for len(words) > 0 && strings.HasPrefix(words[0], "-") && words[0] != "-" {
		opt := words[0]
		words = words[1:]
		if opt == "--" {
			break
		}
		for _, o := range withValue {
			if opt == o && len(words) > 0 {
				words = words[1:]
			}
		}
	}
	return words
}

// isName reports whether s is a shell variable name.
func isName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r != '_' && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// expandScripts returns the commands of a script and, recursively and to a bounded depth,
// of every `sh -c "script"` inside it.
func expandScripts(script string, depth int) []command {
	cmds := splitShell(script)
	if depth <= 0 {
		return cmds
	}
	out := make([]command, 0, len(cmds))
	for _, c := range cmds {
		out = append(out, c)
		words, _, _ := c.simple()
		if len(words) >= 3 && shells[path.Base(words[0])] {
			for i, w := range words[1 : len(words)-1] {
				if strings.HasPrefix(w, "-") && !strings.HasPrefix(w, "--") && strings.Contains(w, "c") {
					out = append(out, expandScripts(words[i+2], depth-1)...)
					break
				}
			}
		}
	}
	return out
}
