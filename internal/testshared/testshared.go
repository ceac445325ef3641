// Package testshared finds, for tests, the read-only folder "shared" that
// sits beside the checkout (../shared: the MobileNetV2 files, their golden
// outputs and the labelled posters). The tests that need it fail without
// it, never skip: it is part of the project's test setup.
package testshared

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the shared folder that holds rel (a slash-separated path
// inside it, such as "models/golden"): $POSTERITY_SHARED when set, else the
// first folder named "shared" in the working directory or beside one of its
// parents. It fails the test, naming rel, when there is none.
func Dir(t testing.TB, rel string) string {
	t.Helper()
	if d := os.Getenv("POSTERITY_SHARED"); d != "" {
		if _, err := os.Stat(filepath.Join(d, filepath.FromSlash(rel))); err != nil {
			t.Fatalf("POSTERITY_SHARED=%s lacks %s: %v", d, rel, err)
		}
		return d
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("finding ../shared: %v", err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		cand := filepath.Join(d, "shared")
		if _, err := os.Stat(filepath.Join(cand, filepath.FromSlash(rel))); err == nil {
			return cand
		}
		if filepath.Dir(d) == d {
			t.Fatalf("no shared/%s beside %s or any folder above it: put the project's shared folder beside the checkout (or set POSTERITY_SHARED)", rel, wd)
		}
	}
}

// Path is Dir(t, rel) joined with rel.
func Path(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(Dir(t, rel), filepath.FromSlash(rel))
}
