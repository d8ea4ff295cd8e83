package main

import "fmt"

// A plain-text banner, injected on purpose: every line the service prints must be JSON.
func init() { fmt.Println("whitemagic starting up") }
