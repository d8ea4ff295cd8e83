// Package integration proves the root Dockerfile and docker-compose.yml against a real Docker
// Engine: the image builds small, runs locked down exactly as documented, keeps its data on
// the volume and survives a crash with every acknowledged write intact.
//
// The tests skip with a message when no daemon answers, except under CI=true, where a missing
// daemon is a failure: run .ci/prepare first.
package integration
