package checks

// Failing reports whether any finding is at or above the threshold.
func Failing(findings []Finding, threshold Severity) bool {
	for _, f := range findings {
		if f.Severity >= threshold {
			return true
		}
	}
	return false
}
