package testshared

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDir(t *testing.T) {
	root := t.TempDir()
	shared := filepath.Join(root, "shared")
	if err := os.MkdirAll(filepath.Join(shared, "models", "golden"), 0o755); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(root, "repo", "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(deep)
	t.Setenv("POSTERITY_SHARED", "")
	if got := Dir(t, "models/golden"); got != shared {
		t.Errorf("Dir = %q, want %q", got, shared)
	}
	if got := Path(t, "models/golden"); got != filepath.Join(shared, "models", "golden") {
		t.Errorf("Path = %q", got)
	}
	other := filepath.Join(root, "elsewhere")
	if err := os.MkdirAll(filepath.Join(other, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("POSTERITY_SHARED", other)
	if got := Dir(t, "data"); got != other {
		t.Errorf("with POSTERITY_SHARED, Dir = %q, want %q", got, other)
	}
}
