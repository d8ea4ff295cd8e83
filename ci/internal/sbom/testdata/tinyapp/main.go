// Command tinyapp is a small Go program the SBOM tests build into a test image: it links one
// module besides the standard library, and records its version through -ldflags.
package main

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
)

var version = "dev"

func main() {
	g, _ := errgroup.WithContext(context.Background())
	g.Go(func() error { fmt.Println("tinyapp", version); return nil })
	_ = g.Wait()
}
