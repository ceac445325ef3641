package onnx

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the ONNX reader: it must return a
// model or an error, never panic or allocate without bound. Seeds: the
// committed corpus in testdata/fuzz/FuzzDecode, the first 64 KiB of the
// real model (its header, opsets and first nodes), and tiny hand-made
// messages.
func FuzzDecode(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join(sharedDir(f), "models", "mobilenetv2-12-int8.onnx")); err == nil {
		f.Add(b[:64<<10])
	}
	f.Add([]byte{})
	f.Add([]byte{0x08, 0x07, 0x3a, 0x02, 0x0a, 0x00})             // ir_version 7, empty graph with an empty node
	f.Add([]byte{0x3a, 0x06, 0x2a, 0x04, 0x08, 0xff, 0xff, 0x7f}) // an initializer with a huge dim
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err == nil && len(m.Graph.Nodes) == 0 {
			t.Fatal("a model without nodes was accepted")
		}
	})
}
