// Package imageref parses image references the way every registry call of the pipeline
// does: strictly, and over plain HTTP only for a registry on the loopback interface, such as
// a test registry on 127.0.0.1.
package imageref

import (
	"net"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Tag parses repository:tag.
func Tag(s string) (name.Tag, error) {
	t, err := name.NewTag(s, name.StrictValidation)
	if err != nil || !Loopback(t.RegistryStr()) {
		return t, err
	}
	return name.NewTag(s, name.StrictValidation, name.Insecure)
}

// Digest parses repository@sha256:....
func Digest(s string) (name.Digest, error) {
	d, err := name.NewDigest(s, name.StrictValidation)
	if err != nil || !Loopback(d.RegistryStr()) {
		return d, err
	}
	return name.NewDigest(s, name.StrictValidation, name.Insecure)
}

// Loopback reports whether a registry's host[:port] is localhost or a loopback address.
func Loopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
