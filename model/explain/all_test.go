package explain

import (
	"testing"

	"posterity/model/head"
)

// TestAllEqualsGradCAM: the all-classes computation gives, bit for bit, the
// map GradCAM gives for each class, on a random-looking head where about
// half the hidden units are active.
func TestAllEqualsGradCAM(t *testing.T) {
	const C, H, N = 1280, 64, 5
	h := head.New(C, H, N, head.MultiLabel)
	for i := range h.W1 {
		h.W1[i] = float32((i*31)%17-8) / 50
	}
	for i := range h.B1 {
		h.B1[i] = float32(i%7-3) / 5
	}
	for i := range h.W2 {
		h.W2[i] = float32((i*7)%11-5) / 3
	}
	h.W2[3] = 0 // a zero weight is skipped in both
	m := make([]uint8, Grid*Grid*C)
	feat := make([]float32, C)
	const scale, zp = 0.02, 3
	for i := range m {
		m[i] = uint8((i * 13) % 97)
		feat[i%C] += float32(int32(m[i])-zp) * scale / 49
	}
	hidden := make([]float32, H)
	h.Logits(feat, nil, hidden)
	active := 0
	for _, a := range hidden {
		if a > 0 {
			active++
		}
	}
	if active == 0 || active == H {
		t.Fatalf("%d of %d hidden units active: the test wants a mix", active, H)
	}
	dst := make([][Grid * Grid]float32, N)
	if err := All(h, m, scale, zp, hidden, nil, make([]float32, N*C), dst); err != nil {
		t.Fatal(err)
	}
	for j := 0; j < N; j++ {
		want, err := GradCAM(h, m, scale, zp, feat, j, nil)
		if err != nil {
			t.Fatal(err)
		}
		if dst[j] != want {
			t.Errorf("class %d: All %v\nGradCAM %v", j, dst[j], want)
		}
	}
	// Only some classes: the same maps for those, zeros for the others.
	some := make([][Grid * Grid]float32, N)
	some[0][0] = 7 // overwritten with zeros
	want := []bool{false, true, false, true, false}
	if err := All(h, m, scale, zp, hidden, want, make([]float32, N*C), some); err != nil {
		t.Fatal(err)
	}
	for j := range want {
		if want[j] && some[j] != dst[j] || !want[j] && some[j] != [Grid * Grid]float32{} {
			t.Errorf("class %d (wanted %v): %v", j, want[j], some[j])
		}
	}
	if err := All(h, m, scale, zp, hidden, nil, make([]float32, N*C-1), dst); err == nil {
		t.Error("short gradient scratch accepted")
	}
	if err := All(h, m[:5], scale, zp, hidden, nil, make([]float32, N*C), dst); err == nil {
		t.Error("short map accepted")
	}
}

// TestMirrorAverage: column x of the second map lands on column 6−x.
func TestMirrorAverage(t *testing.T) {
	const C = 2
	a := make([]uint8, Grid*Grid*C)
	b := make([]uint8, Grid*Grid*C)
	b[(3*Grid+0)*C+1] = 201 // row 3, column 0, channel 1
	a[(3*Grid+6)*C+1] = 100
	dst := make([]uint8, len(a))
	MirrorAverage(dst, a, b, C)
	if got := dst[(3*Grid+6)*C+1]; got != 151 { // (100+201)/2 rounded
		t.Errorf("mirrored cell %d, want 151", got)
	}
	for i, v := range dst {
		if v != 0 && i != (3*Grid+6)*C+1 {
			t.Errorf("value %d at %d", v, i)
		}
	}
}
