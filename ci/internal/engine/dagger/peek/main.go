// Command peek answers the two questions the Dagger engine's Docker host cannot ask with the
// docker CLI alone. It is built static inside the engine and runs in images that have no
// shell.
//
//	peek cat FILE      prints FILE, e.g. /proc/<pid>/status read from the daemon's PID namespace
//	peek resolve HOST  prints the first IPv4 address HOST resolves to on the container's network
package main

import (
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "peek:", err)
		os.Exit(1)
	}
}

func run(args []string, out io.Writer) error {
	if len(args) != 2 {
		return fmt.Errorf("usage: peek cat FILE | peek resolve HOST")
	}
	switch args[0] {
	case "cat":
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(out, f)
		return err
	case "resolve":
		addrs, err := net.LookupHost(args[1])
		if err != nil {
			return err
		}
		for _, a := range addrs {
			if ip := net.ParseIP(a); ip != nil && ip.To4() != nil {
				_, err := fmt.Fprintln(out, a)
				return err
			}
		}
		return fmt.Errorf("%s has no IPv4 address (got %v)", args[1], addrs)
	}
	return fmt.Errorf("unknown command %q: want cat or resolve", args[0])
}
