package store

import "testing"

// TestInjectedFault fails on purpose: the pipeline's end-to-end tests check that a failing
// test fails the gate.
func TestInjectedFault(t *testing.T) {
	if got, want := 1+1, 3; got != want {
		t.Errorf("1+1 = %d, want %d", got, want)
	}
}
