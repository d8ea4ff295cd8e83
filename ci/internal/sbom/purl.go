package sbom

import (
	"bytes"
	"strings"
)

// purlEscape percent-encodes s for a package URL: everything but letters, digits, ".-_~"
// and the bytes in keep.
func purlEscape(s string, keep ...byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '-' || c == '_' || c == '~' || bytes.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hexByte(c)))
	}
	return b.String()
}

func hexByte(c byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[c>>4], digits[c&0xf]})
}

// goPURL is the package URL of a Go module: pkg:golang/<module path>[@version].
func goPURL(module, version string) string {
	segs := strings.Split(module, "/")
	for i, s := range segs {
		segs[i] = purlEscape(s)
	}
	p := "pkg:golang/" + strings.Join(segs, "/")
	if version != "" {
		p += "@" + purlEscape(version)
	}
	return p
}

// ociPURL is the package URL of an image: pkg:oci/<name>@<digest>?repository_url=<repo>,
// where name is the repository's last path element.
func ociPURL(repo, digest string) string {
	name := repo[strings.LastIndex(repo, "/")+1:]
	p := "pkg:oci/" + purlEscape(strings.ToLower(name)) + "@" + purlEscape(digest)
	if strings.Contains(repo, "/") {
		p += "?repository_url=" + purlEscape(repo, '/', ':')
	}
	return p
}
