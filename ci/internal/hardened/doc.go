// Package hardened runs the built image locked down, with the settings of the compose file,
// and proves from the daemon, the kernel and the service itself that the lockdown holds. It
// talks to Docker only through engine.Host, so every engine runs the very same checks.
package hardened
