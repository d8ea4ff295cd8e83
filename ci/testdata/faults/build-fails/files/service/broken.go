package main

// Broken on purpose: an undefined name stops the build.
var _ = undefinedOnPurpose
