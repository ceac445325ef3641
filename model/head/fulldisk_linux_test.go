package head

import (
	"bytes"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// When POSTERITY_FULLDISK_PATH is set, this test is the child of
// TestWriteFileFullDisk: with the file-size limit below the head's size,
// every write past it fails as on a full disk (EFBIG instead of ENOSPC).
func TestWriteFileFullDiskChild(t *testing.T) {
	path := os.Getenv("POSTERITY_FULLDISK_PATH")
	if path == "" {
		return
	}
	signal.Ignore(syscall.SIGXFSZ) // get the error, not the signal
	lim := &syscall.Rlimit{Cur: 64 << 10, Max: 64 << 10}
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, lim); err != nil {
		t.Fatal(err)
	}
	h := New(1280, 64, 18, MultiLabel)
	h.Labels = make([]string, 18)
	for i := range h.Labels {
		h.Labels[i] = string(rune('A' + i))
	}
	h.Thresholds = make([]float32, 18)
	err := h.WriteFile(path, SaveOptions{})
	os.Stdout.WriteString("ERR:" + func() string {
		if err == nil {
			return "<nil>"
		}
		return err.Error()
	}() + "\n")
}

// TestWriteFileFullDisk writes a head too large for the space left: the
// write fails with a clear error, the previous head is intact and no
// temporary file is left behind.
func TestWriteFileFullDisk(t *testing.T) {
	if os.Getenv("POSTERITY_FULLDISK_PATH") != "" {
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "head.bin")
	old := []byte("the previous head, which must survive")
	if err := os.WriteFile(path, old, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteFileFullDiskChild$")
	cmd.Env = append(os.Environ(), "POSTERITY_FULLDISK_PATH="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "ERR:head: write "+path) || !strings.Contains(string(out), "file too large") {
		t.Errorf("child reported %q, want a write error naming the file", out)
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, old) {
		t.Error("the previous head was changed")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*tmp*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
