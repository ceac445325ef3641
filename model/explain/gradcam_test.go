package explain

import (
	"math"
	"testing"

	"posterity/model/head"
)

// linearHead makes a head whose class-0 logit is, through an always-active
// ReLU, a positive multiple of feature channel 0 alone: the score is
// driven by channel 0 and nothing else.
func linearHead(C int) *head.Head {
	h := head.New(C, 2, 2, head.MultiLabel)
	h.W1[0*C+0] = 1 // hidden 0 = feature[0]
	h.B1[0] = 0.01  // stays active for non-negative features
	h.W2[0*2+0] = 2 // class 0 = 2·hidden 0
	h.W1[1*C+1] = 1 // hidden 1 = feature[1] drives class 1
	h.B1[1] = 0.01
	h.W2[1*2+1] = 3
	h.Labels = []string{"A", "B"}
	h.Thresholds = []float32{0.5, 0.5}
	return h
}

// fmapWith puts value v in channel c at the given grid cells.
func fmapWith(C int, cells map[int]uint8, c int) ([]uint8, []float32) {
	m := make([]uint8, Grid*Grid*C)
	feat := make([]float32, C)
	for p, v := range cells {
		m[p*C+c] = v
		feat[c] += float32(v) / (Grid * Grid)
	}
	return m, feat
}

// TestGradCAMFollowsContent: the heatmap for class A peaks where channel 0
// is active, and moves when the content moves; class B's map ignores it.
func TestGradCAMFollowsContent(t *testing.T) {
	const C = 16
	h := linearHead(C)
	for _, cell := range []int{0, 24, 48, 10} {
		m, feat := fmapWith(C, map[int]uint8{cell: 200, (cell + 1) % 49: 50}, 0)
		a, err := GradCAM(h, m, 0.1, 0, feat, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if a[cell] != 1 || math.Abs(float64(a[(cell+1)%49])-0.25) > 1e-6 {
			t.Errorf("cell %d: map %v, want 1 at the cell and 0.25 next to it", cell, a)
		}
		b, _ := GradCAM(h, m, 0.1, 0, feat, 1, nil)
		for p, v := range b {
			if v != 0 {
				t.Errorf("class B has %v at %d though its channel is empty", v, p)
			}
		}
	}
}

func TestGradCAMDeterministicAndShape(t *testing.T) {
	const C = 1280
	h := head.New(C, 8, 3, head.MultiLabel)
	for i := range h.W1 {
		h.W1[i] = float32((i*31)%17-8) / 50
	}
	for i := range h.W2 {
		h.W2[i] = float32(i%5-2) / 3
	}
	m := make([]uint8, Grid*Grid*C)
	feat := make([]float32, C)
	for i := range m {
		m[i] = uint8((i * 7) % 255)
		feat[i%C] += float32(m[i]) * 0.02 / 49
	}
	a, err := GradCAM(h, m, 0.02, 0, feat, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := GradCAM(h, m, 0.02, 0, feat, 2, make([]float32, C))
	if a != b {
		t.Error("not deterministic")
	}
	for _, v := range a {
		if v < 0 || v > 1 || math.IsNaN(float64(v)) {
			t.Fatalf("value %v outside [0, 1]", v)
		}
	}
	if _, err := GradCAM(h, m[:10], 0.02, 0, feat, 0, nil); err == nil {
		t.Error("short map accepted")
	}
	if _, err := GradCAM(h, m, 0.02, 0, feat, 3, nil); err == nil {
		t.Error("class out of range accepted")
	}
	up := make([]float32, 182*268)
	if err := Upsample(a, 182, 268, up); err != nil {
		t.Fatal(err)
	}
	// Corners equal the corner cells (clamped sampling).
	if up[0] != a[0] || up[len(up)-1] != a[48] {
		t.Errorf("corners %v %v, cells %v %v", up[0], up[len(up)-1], a[0], a[48])
	}
	// Upsampling the 7×7 map to 7×7 is the identity.
	same := make([]float32, 49)
	Upsample(a, 7, 7, same)
	for i := range same {
		if math.Abs(float64(same[i]-a[i])) > 1e-6 {
			t.Fatalf("7×7 upsample changed cell %d: %v → %v", i, a[i], same[i])
		}
	}
}
