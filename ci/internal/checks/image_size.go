package checks

import (
	"fmt"
	"sort"
	"strings"
)

// sizeFindings checks the budgets and, when one is exceeded, names the largest layers and
// files.
func (fs *imageFS) sizeFindings(o ImageOptions) []Finding {
	var raw, compressed int64
	for _, l := range fs.layers {
		raw, compressed = raw+l.raw, compressed+l.compressed
	}
	var out []Finding
	loc := Location{Path: "layers"}
	if o.MaxBytes > 0 && raw > o.MaxBytes {
		out = append(out, rule("WM-IM-014").At(fmt.Sprintf("the image is %d bytes uncompressed, over the %d byte budget; largest: %s",
			raw, o.MaxBytes, fs.largest(false)), loc))
	}
	if o.MaxCompressedBytes > 0 && compressed > o.MaxCompressedBytes {
		out = append(out, rule("WM-IM-015").At(fmt.Sprintf("the image is %d bytes compressed, over the %d byte budget; largest: %s",
			compressed, o.MaxCompressedBytes, fs.largest(true)), loc))
	}
	if o.MaxLayers > 0 && len(fs.layers) > o.MaxLayers {
		out = append(out, rule("WM-IM-016").At(fmt.Sprintf("the image has %d layers, over the budget of %d",
			len(fs.layers), o.MaxLayers), loc))
	}
	return out
}

// largest names the three largest layers (by compressed or uncompressed size) and the five
// largest files.
func (fs *imageFS) largest(compressed bool) string {
	size := func(l layerInfo) int64 {
		if compressed {
			return l.compressed
		}
		return l.raw
	}
	idx := make([]int, len(fs.layers))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return size(fs.layers[idx[a]]) > size(fs.layers[idx[b]]) })
	var parts []string
	for _, i := range idx[:min(3, len(idx))] {
		parts = append(parts, fmt.Sprintf("layer %d (%s) %d bytes", i+1, short(fs.layers[i].digest), size(fs.layers[i])))
	}
	files := fs.sortedFiles()
	sort.SliceStable(files, func(a, b int) bool { return files[a].size > files[b].size })
	for _, f := range files[:min(5, len(files))] {
		if f.size > 0 {
			parts = append(parts, fmt.Sprintf("%s %d bytes", f.name, f.size))
		}
	}
	return strings.Join(parts, ", ")
}

// short shortens a digest for messages.
func short(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}
