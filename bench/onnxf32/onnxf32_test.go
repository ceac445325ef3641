package onnxf32

import (
	"os"
	"path/filepath"
	"testing"

	"posterity/model/onnx"
)

// modelPath is the int8 model beside the repository (../shared/models), as
// "make model" finds it; the test skips when it is absent.
func modelPath(t *testing.T) string {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "models", "mobilenetv2-12-int8.onnx")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("no %s: %v", p, err)
	}
	return p
}

// TestConvert checks the float graph's structure and one weight and bias
// against the ONNX QLinearConv definitions they come from.
func TestConvert(t *testing.T) {
	m, _, err := onnx.ReadFile(modelPath(t))
	if err != nil {
		t.Fatal(err)
	}
	b, stats, err := Convert(m)
	if err != nil {
		t.Fatal(err)
	}
	// The int8 graph: 52 QLinearConv, 11 QLinearAdd (10 residual + the
	// classifier bias), one pool and one MatMul (design.md §2). 35 of the
	// convolutions have output zero point 0: the ReLU6 ones.
	want := Stats{"Conv": 52, "Clip": 35, "Add": 11, "GlobalAveragePool": 1, "MatMul": 1,
		"Shape": 1, "Gather": 1, "Unsqueeze": 1, "Concat": 1, "Reshape": 1}
	for k, v := range want {
		if stats[k] != v {
			t.Errorf("%d %s nodes, want %d", stats[k], k, v)
		}
	}
	f, err := onnx.Decode(b)
	if err != nil {
		t.Fatalf("the float model does not decode: %v", err)
	}
	for _, nd := range f.Graph.Nodes {
		if nd.Domain != "" || len(nd.OpType) > 6 && nd.OpType[:6] == "QLinea" {
			t.Errorf("node %s is %s.%s", nd.Name, nd.Domain, nd.OpType)
		}
	}
	// The stem: W = q·w_scale[m], b = q_b·x_scale·w_scale[m].
	first := m.Graph.Nodes[1]
	wq, ws := m.Graph.Initializers[first.Inputs[3]], m.Graph.Initializers[first.Inputs[4]].F32
	xs := m.Graph.Initializers[first.Inputs[1]].F32[0]
	wf := f.Graph.Initializers[first.Inputs[3][:len(first.Inputs[3])-len("_quantized")]+"_f32"]
	if wf == nil || len(wf.F32) != wq.Len() {
		t.Fatalf("stem weights missing from the float model")
	}
	per := wq.Len() / len(ws)
	for _, i := range []int{0, per + 5, wq.Len() - 1} {
		if got, want := wf.F32[i], float32(wq.Int(i))*ws[i/per]; got != want {
			t.Errorf("stem weight %d = %v, want %v", i, got, want)
		}
	}
	bq := m.Graph.Initializers[first.Inputs[8]]
	bf := f.Graph.Initializers[first.Inputs[8][:len(first.Inputs[8])-len("_quantized")]+"_f32"]
	if got, want := bf.F32[3], float32(float64(bq.I32[3])*float64(xs)*float64(ws[3])); got != want {
		t.Errorf("stem bias 3 = %v, want %v", got, want)
	}
}
