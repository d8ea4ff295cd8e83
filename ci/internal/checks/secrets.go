package checks

import (
	"bytes"
	"path"
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

// tokenPattern is a credential format recognisable by its value alone. hint is a fixed
// string every match contains, so content that lacks all hints is never run through the
// expressions.
type tokenPattern struct {
	kind string
	hint string
	re   *regexp.Regexp
}

var tokenPatterns = []tokenPattern{
	{"private key", "PRIVATE KEY", regexp.MustCompile(
		`-----BEGIN (?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP |SSH2 ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----(?:[\s\S]{0,200}?)[A-Za-z0-9+/=]{40,}`)},
	{"AWS access key ID", "AKIA", regexp.MustCompile(`\bAKIA[0-9A-Z]{16}\b`)},
	{"AWS access key ID", "ASIA", regexp.MustCompile(`\bASIA[0-9A-Z]{16}\b`)},
	{"AWS secret access key", "ws_secret_access_key", regexp.MustCompile(
		`(?i)aws_secret_access_key["']?\s*[=:]\s*["']?[A-Za-z0-9/+]{40}\b`)},
	{"GitHub token", "gh", regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`)},
	{"GitHub token", "github_pat_", regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{60,}\b`)},
	{"GitLab token", "glpat-", regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}\b`)},
	{"Slack token", "xox", regexp.MustCompile(`\bxox[abposr]-[A-Za-z0-9-]{10,}\b`)},
	{"Google API key", "AIza", regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}\b`)},
	{"Google service account key", "private_key_id", regexp.MustCompile(`"type"\s*:\s*"service_account"`)},
	{"Stripe secret key", "k_live_", regexp.MustCompile(`\b[sr]k_live_[0-9A-Za-z]{20,}\b`)},
	{"npm token", "npm_", regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`)},
	{"JSON web token", "eyJ", regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}`)},
}

// secretValue returns the kind of credential s contains, or "".
func secretValue(s string) string { return secretBytes([]byte(s)) }

// secretBytes returns the kind of credential b contains, or "".
func secretBytes(b []byte) string {
	for _, p := range tokenPatterns {
		if bytes.Contains(b, []byte(p.hint)) && p.re.Match(b) {
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
	return strings.HasPrefix(v, "$") && !strings.ContainsAny(v, " :-") && strings.Count(v, "$") == 1
}

// secretPair says why a name/value pair leaks a secret, or "" when it does not. A value in
// a credential format always counts; a secret-looking name counts when its value is real.
func secretPair(name, value string) string {
	if kind := secretValue(value); kind != "" {
		return "a credential (" + kind + ")"
	}
	if secretName(name) && !placeholder(value) {
		return "a literal value under a secret-looking name"
	}
	return ""
}

// credentialFiles are files that hold credentials by their name and a content marker; a
// marker of "" means the name alone is enough.
var credentialFiles = map[string]string{
	"id_rsa": "", "id_dsa": "", "id_ecdsa": "", "id_ed25519": "",
	".git-credentials": "@", ".netrc": "password", ".pgpass": ":", ".npmrc": "_auth",
	".pypirc": "password", ".htpasswd": ":", ".dockercfg": "auth",
}

// secretFile returns the kind of credential a file in an image holds, or "": by its
// content's format, or by its well-known name.
func secretFile(name string, content []byte) string {
	if kind := secretBytes(content); kind != "" {
		return kind
	}
	base := path.Base(name)
	if marker, ok := credentialFiles[base]; ok && len(bytes.TrimSpace(content)) > 0 &&
		bytes.Contains(content, []byte(marker)) {
		return "credential file (" + base + ")"
	}
	switch {
	case strings.HasSuffix(name, "/.aws/credentials") && bytes.Contains(content, []byte("aws_access_key_id")):
		return "credential file (AWS credentials)"
	case strings.HasSuffix(name, "/.docker/config.json") && bytes.Contains(content, []byte(`"auth"`)):
		return "credential file (Docker registry login)"
	}
	return ""
}
