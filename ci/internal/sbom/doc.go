// Package sbom describes a container image as a CycloneDX 1.6 software bill of materials,
// made from the Go build information embedded in its executables and the hashes of its other
// files, writes it as JSON, and attaches it to the image in a registry as an OCI 1.1 artifact.
package sbom
