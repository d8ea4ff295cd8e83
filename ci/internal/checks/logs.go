package checks

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Logs requires every line a container logged to be one JSON object. It reports the first
// offending lines, at most five, and how many there were.
func Logs(lines []string) []Finding {
	var out []Finding
	bad := 0
	for i, line := range lines {
		var obj map[string]json.RawMessage
		if strings.HasPrefix(strings.TrimSpace(line), "{") && json.Unmarshal([]byte(line), &obj) == nil {
			continue
		}
		bad++
		if bad <= 5 {
			out = append(out, rule("WM-LG-001").At(fmt.Sprintf("log line %d is not a JSON object: %.120q", i+1, line),
				Location{Path: fmt.Sprintf("log line %d", i+1)}))
		}
	}
	if bad > 5 {
		out = append(out, rule("WM-LG-001").At(fmt.Sprintf("%d more log lines are not JSON objects", bad-5),
			Location{Path: "logs"}))
	}
	return out
}
