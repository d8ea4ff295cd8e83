// Package testenv gives the project's integration tests the real parts they run against: the
// host's Docker daemon through the Debian docker client, and a container registry on
// 127.0.0.1. Tests that need a part skip with a message naming what is missing, except under
// CI=true, where a missing Docker daemon fails them.
package testenv
