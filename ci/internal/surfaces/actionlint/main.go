// Command actionlint lints GitHub Actions workflow files with the actionlint library and
// prints what it finds as JSON, for the workflow tests of package surfaces.
//
// It is a module of its own because actionlint v1.7.12 builds only against
// go.yaml.in/yaml/v4 v4.0.0-rc.3, while compose-go, in the main module, needs rc.4, whose API
// actionlint does not compile against; one build cannot hold both.
//
// Usage: go run . [-shellcheck PATH] FILE...
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rhysd/actionlint"
)

// finding is one actionlint error.
type finding struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

func main() {
	shellcheck := flag.String("shellcheck", "", "shellcheck executable; empty leaves run scripts unchecked")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: go run . [-shellcheck PATH] FILE...")
		os.Exit(2)
	}
	if err := run(os.Stdout, *shellcheck, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "actionlint:", err)
		os.Exit(2)
	}
}

func run(w io.Writer, shellcheck string, files []string) error {
	// Pyflakes stays off: no workflow runs Python.
	l, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{Shellcheck: shellcheck})
	if err != nil {
		return err
	}
	errs, err := l.LintFiles(files, nil)
	if err != nil {
		return err
	}
	out := make([]finding, 0, len(errs))
	for _, e := range errs {
		out = append(out, finding{e.Filepath, e.Line, e.Column, e.Kind, e.Message})
	}
	return json.NewEncoder(w).Encode(out)
}
