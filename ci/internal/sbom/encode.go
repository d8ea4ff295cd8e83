package sbom

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// FileName is the SBOM's file name beside a report, and its title in an attached artifact.
const FileName = "sbom.cdx.json"

// Encode writes bom as indented CycloneDX 1.6 JSON.
func Encode(w io.Writer, bom *cdx.BOM) error {
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON)
	enc.SetPretty(true)
	if err := enc.EncodeVersion(bom, cdx.SpecVersion1_6); err != nil {
		return fmt.Errorf("encoding the SBOM: %w", err)
	}
	return nil
}

// Decode reads a CycloneDX JSON document.
func Decode(r io.Reader) (*cdx.BOM, error) {
	var bom cdx.BOM
	if err := cdx.NewBOMDecoder(r, cdx.BOMFileFormatJSON).Decode(&bom); err != nil {
		return nil, fmt.Errorf("decoding the SBOM: %w", err)
	}
	if bom.BOMFormat != cdx.BOMFormat {
		return nil, fmt.Errorf("decoding the SBOM: bomFormat is %q, want %q", bom.BOMFormat, cdx.BOMFormat)
	}
	return &bom, nil
}

// WriteFile writes bom to path as Encode does. The file appears whole or not at all: it is
// written beside path and renamed over it.
func WriteFile(path string, bom *cdx.BOM) error {
	var buf bytes.Buffer
	if err := Encode(&buf, bom); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing the SBOM: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the SBOM to %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing the SBOM to %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing the SBOM to %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing the SBOM to %s: %w", path, err)
	}
	return nil
}

// Beside returns the SBOM's path in the directory of report (a report file's path).
func Beside(report string) string {
	return filepath.Join(filepath.Dir(report), FileName)
}
