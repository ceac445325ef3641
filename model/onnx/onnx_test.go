package onnx

import (
	"path/filepath"
	"testing"

	"posterity/internal/testshared"
)

// sharedDir finds ../shared beside the repository root. Tests that need the
// model fail loudly without it: CI always has it.
func sharedDir(t testing.TB) string { return testshared.Dir(t, "models/mobilenetv2-12-int8.onnx") }

func TestReadMobileNet(t *testing.T) {
	m, sum, err := ReadFile(filepath.Join(sharedDir(t), "models", "mobilenetv2-12-int8.onnx"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "cc028fe6cae7bc11a4ff53cfc9b79c920e8be65ce33a904ec3e2a8f66d77f95f"; sum != want {
		t.Errorf("sha256 = %s, want %s", sum, want)
	}
	ops := map[string]int{}
	for _, n := range m.Graph.Nodes {
		ops[n.OpType]++
	}
	// Counts from ../shared/docs/design.md §2.
	for op, want := range map[string]int{"QLinearConv": 52, "QLinearAdd": 11, "QLinearGlobalAveragePool": 1, "QLinearMatMul": 1, "QuantizeLinear": 1} {
		if ops[op] != want {
			t.Errorf("%s: %d nodes, want %d", op, ops[op], want)
		}
	}
	for _, n := range m.Graph.Nodes {
		t.Logf("%s %s %s in=%v out=%v", n.Domain, n.OpType, n.Name, n.Inputs, n.Outputs)
		break
	}
	w := m.Graph.Initializers["Conv_0_weight_quantized"]
	t.Logf("opsets %v, %d initializers, inputs %v outputs %v", m.Opsets, len(m.Graph.Initializers), m.Graph.Inputs, m.Graph.Outputs)
	if w != nil {
		t.Logf("%s %v %v", w.Name, w.DataType, w.Dims)
	}
}
