// Package pipeline runs whitemagic's stage graph (lint, test, build, audit, hardened run,
// publish), gates publishing on every other stage passing, and records the outcome in a
// Result. It reaches containers only through the engine seam.
package pipeline
