// Package dagger implements the engine seam on a Dagger engine, with the Dagger Go SDK. It
// is the only package of the project that imports dagger.io/dagger.
//
// The image is built by the engine's BuildKit from the Dockerfile (Directory.DockerBuild)
// and exported as a tarball for the audit. The Go tests run in a container of the Go image.
// The hardened run needs what Dagger itself cannot apply (a read-only root, dropped
// capabilities, no-new-privileges), so it runs Docker inside Dagger: a dind service, a docker
// CLI container bound to it, and the image loaded from the audited tarball. The pipeline's
// hardened package then drives that daemon with the same docker commands as on a host.
//
// Known shortcomings:
//   - Every docker command of the hardened run is a container exec in the engine, about a
//     tenth of a second or more each, where the docker engine runs a local process.
//   - Host.Tunnel listens on every interface of this machine, not on 127.0.0.1 only: while
//     the hardened run lasts, the container's port can be reached from the network this
//     machine is on.
//   - A docker command's standard output comes back as text: bytes that are not UTF-8 are
//     replaced. The hardened run reads text only.
//   - The Docker daemon's storage is a tmpfs, so an image larger than the engine's free memory
//     cannot be loaded.
//   - An interrupt from a terminal (Ctrl-C) also reaches the dagger CLI that holds the
//     session; when it ends first, the cleanup commands fail, and the engine stops the
//     session's services, daemon included, on its own.
package dagger
