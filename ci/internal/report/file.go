package report

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// CheckPath makes sure a report can be written at path before the run starts, so a typo
// costs a second, not a whole pipeline run: the directory must exist and take a new file,
// and path must not be a directory.
func CheckPath(path string) error {
	if path == "" {
		return errors.New("the report path is empty")
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory; name a file in it", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("%s: directory %s does not exist; create it or name another path", path, dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("%s: %s is not a directory", path, dir)
	}
	probe, err := os.CreateTemp(dir, "."+filepath.Base(path)+".check-*")
	if err != nil {
		return fmt.Errorf("%s: cannot create files in %s: %w", path, dir, err)
	}
	probe.Close()
	return os.Remove(probe.Name())
}

// writeFile writes a report through a temporary file in the same directory and renames it
// over path, so a reader (a later workflow step, an upload) never sees half a report and a
// failed run never leaves one behind. Errors name the path.
func writeFile(path string, write func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing report %s: %w", path, err)
	}
	return nil
}
