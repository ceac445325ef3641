package mobilenet

import (
	"math"
	"testing"
)

// engines returns the two kernel sets held to ONNX Runtime: the plain-Go
// reference and this build's optimised twin.
func engines(n *Net) map[string]*Engine {
	return map[string]*Engine{"reference": n.NewReferenceEngine(), "optimised": n.NewEngine()}
}

// TestSyntheticOpByOp feeds every op ONNX Runtime's own inputs and demands
// ORT's output bit for bit (shared/models/golden/README.md, "Recommended
// test tolerances": 0 differing values for the float32 recipe).
func TestSyntheticOpByOp(t *testing.T) {
	n := testNet(t)
	golden := readGolden(t)
	byName := map[string]goldenTensor{}
	for _, g := range golden {
		byName[g.Name] = g
	}
	for name, e := range engines(n) {
		for _, g := range golden[1:66] {
			if err := e.SetTensor(g.Name, g.nhwc()); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		checked := 0
		for i, op := range n.Ops {
			out := n.Tensors[op.Out]
			want, ok := byName[out.Name]
			if !ok {
				t.Fatalf("no golden tensor for %s", out.Name)
			}
			got := make([]uint8, out.Len())
			e.RunOp(i)
			a, _, _ := e.Tensor(out.Name)
			copy(got, a)
			// Restore ORT's value so later ops read ORT's inputs.
			e.SetTensor(out.Name, want.nhwc())
			if d, m := countDiff(got, want.nhwc()); d != 0 {
				t.Errorf("%s: op %s → %s: %d values differ (max %d)", name, op.Name, out.Name, d, m)
			}
			if want.Scale != out.Scale || want.ZP != out.ZP {
				t.Errorf("%s: scale/zp %v/%d, golden %v/%d", out.Name, out.Scale, out.ZP, want.Scale, want.ZP)
			}
			checked++
		}
		if checked != 65 {
			t.Errorf("%s: checked %d ops, want 65 (52 conv, 11 add, pool, matmul)", name, checked)
		}
	}
}

// TestSyntheticEndToEnd runs the whole network from ORT's float input and
// compares all 66 quantized tensors and the float output, bit for bit.
func TestSyntheticEndToEnd(t *testing.T) {
	n := testNet(t)
	golden := readGolden(t)
	input := golden[0].float32s()
	for name, e := range engines(n) {
		logits := make([]float32, NumClasses)
		if err := e.Logits(input, logits); err != nil {
			t.Fatal(err)
		}
		q, _, _ := e.Tensor("input_quantized")
		if d, _ := countDiff(q, golden[1].nhwc()); d != 0 {
			t.Errorf("%s: QuantizeLinear: %d values differ", name, d)
		}
		for _, g := range golden[2:67] {
			got, _, ok := e.Tensor(g.Name)
			if !ok {
				t.Fatalf("engine has no tensor %s", g.Name)
			}
			if d, m := countDiff(got, g.nhwc()); d != 0 {
				t.Errorf("%s: %s: %d values differ (max %d)", name, g.Name, d, m)
			}
		}
		want := golden[67].float32s()
		for i := range want {
			if math.Float32bits(logits[i]) != math.Float32bits(want[i]) {
				t.Errorf("%s: logit %d = %v, golden %v", name, i, logits[i], want[i])
				break
			}
		}
		feat := make([]float32, FeatureDim)
		if _, err := e.Features(input, feat); err != nil {
			t.Fatal(err)
		}
	}
}
