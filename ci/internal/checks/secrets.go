package checks

import (
	"regexp"
	"strings"
)

// secretWords are fragments of variable names that usually hold credentials. Names ending in
// one of safeSuffixes point at a secret (a file, a path, a URL) rather than holding one.
var (
	secretWords = []string{
		"PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN", "API_KEY", "APIKEY",
		"ACCESS_KEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH_KEY", "CLIENT_KEY",
	}
	safeSuffixes = []string{"_FILE", "_PATH", "_DIR", "_URL", "_ENDPOINT", "_NAME", "_ID"}
)

// secretName reports whether a variable, label or argument name looks like it holds a
// credential.
func secretName(name string) bool {
	n := strings.ToUpper(strings.NewReplacer("-", "_", ".", "_").Replace(name))
	for _, s := range safeSuffixes {
		if strings.HasSuffix(n, s) {
			return false
		}
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// tokenPattern is a credential format recognisable by its value alone.
type tokenPattern struct {
	kind string
	re   *regexp.Regexp
}

var tokenPatterns = []tokenPattern{
	{"private key", regexp.MustCompile(`-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----`)},
	{"AWS access key ID", regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)},
	{"AWS secret access key", regexp.MustCompile(`(?i)aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+]{40}`)},
	{"GitHub token", regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b`)},
	{"GitLab token", regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}\b`)},
	{"Slack token", regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}\b`)},
	{"Google API key", regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`)},
	{"Stripe secret key", regexp.MustCompile(`\b[sr]k_live_[0-9A-Za-z]{20,}\b`)},
	{"npm token", regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`)},
	{"JSON web token", regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`)},
}

// secretValue returns the kind of credential s contains, or "".
func secretValue(s string) string {
	for _, p := range tokenPatterns {
		if p.re.MatchString(s) {
			return p.kind
		}
	}
	return ""
}

// placeholder reports whether a value is obviously not a real secret: empty, a variable
// reference, or a conventional dummy.
func placeholder(v string) bool {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "", "changeme", "change-me", "xxx", "none", "null", "false", "true", "example":
		return true
	}
	return strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") && strings.Count(v, "$") == 1 &&
		!strings.Contains(v, ":-")
}

// secretPair says why a name/value pair leaks a secret, or "" when it does not. A value in
// a credential format always counts; a secret-looking name counts when its value is real.
func secretPair(name, value string) string {
	if kind := secretValue(value); kind != "" {
		return kind
	}
	if secretName(name) && !placeholder(value) {
		return "a value for the secret-looking name " + name
	}
	return ""
}
