// Package release turns a git tag or a default-branch commit into the image tags a publishing
// run pushes, and guards the registry so that a published release tag never moves.
//
// A release tag vX.Y.Z publishes X.Y.Z, X.Y, X, latest and the full commit SHA; a pre-release
// vX.Y.Z-rc.1 publishes only X.Y.Z-rc.1 and the commit SHA; a push to the default branch
// publishes edge and the commit SHA. Build metadata (+...) is kept in the version the image
// carries but never appears in a tag, since image tags cannot hold a plus sign and semantic
// versioning gives build metadata no precedence.
package release
