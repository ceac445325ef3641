package wasmkern

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestModuleUpToDate regenerates the module and demands the committed
// kernels.wasm be identical: run `go generate` here after changing gen.go.
func TestModuleUpToDate(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run gen.go")
	}
	out := filepath.Join(t.TempDir(), "kernels.wasm")
	cmd := exec.Command(gobin, "run", "gen.go", "-o", out)
	cmd.Env = append(os.Environ(), "GOOS=", "GOARCH=", "GOEXPERIMENT=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run gen.go: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, Module) {
		t.Fatal("kernels.wasm is stale: run go generate in model/kernels/wasmkern")
	}
}
