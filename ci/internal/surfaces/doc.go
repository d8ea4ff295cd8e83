// Package surfaces tests the places where people meet the pipeline outside `go run ./ci`:
// the GitHub Actions workflows (their structure, pins and permissions, and actionlint) and
// the versioned pre-push hook (installed in a scratch clone, against real git pushes).
package surfaces
