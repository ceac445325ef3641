// Package benchmd is the shared layout of BENCHMARKS.md, which two programs
// write: make bench (bench/) writes the whole file, and make loadtest
// (server/serve_load_test.go) writes its server-load section between two
// markers, which make bench keeps when it rewrites the rest.
package benchmd

import (
	"os"
	"strings"
)

// The server-load section's markers (HTML comments: invisible in the
// rendered file).
const (
	LoadBegin = "<!-- server-load: begin; written by make loadtest (server/serve_load_test.go), kept when make bench rewrites the rest -->"
	LoadEnd   = "<!-- server-load: end -->"
)

// span returns the server-load section's bounds in doc, the end past the
// end marker; ok is false when doc has no complete section.
func span(doc string) (i, end int, ok bool) {
	i = strings.Index(doc, LoadBegin)
	if i < 0 {
		return 0, 0, false
	}
	j := strings.Index(doc[i:], LoadEnd)
	if j < 0 {
		return 0, 0, false
	}
	return i, i + j + len(LoadEnd), true
}

// LoadSection returns doc's server-load section, markers included, or ""
// when it has none.
func LoadSection(doc string) string {
	i, end, ok := span(doc)
	if !ok {
		return ""
	}
	return doc[i:end]
}

// ReplaceLoadSection puts sec (markers included) in place of doc's
// server-load section, or after the rest of doc, a blank line apart, when
// it has none.
func ReplaceLoadSection(doc, sec string) string {
	sec = strings.TrimRight(sec, "\n") + "\n"
	if i, end, ok := span(doc); ok {
		if end < len(doc) && doc[end] == '\n' {
			end++
		}
		return doc[:i] + sec + doc[end:]
	}
	if doc != "" {
		doc = strings.TrimRight(doc, "\n") + "\n\n"
	}
	return doc + sec
}

// LoadAverage is the first three fields of /proc/loadavg (1, 5 and 15
// minutes), or "unknown".
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
