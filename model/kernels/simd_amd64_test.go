//go:build goexperiment.simd && amd64

package kernels

import (
	"math/rand/v2"
	"testing"

	"simd/archsimd"
)

// TestConvTwinsAVX2 runs the twin tests again with AVX-512 switched off
// (the AVX2 kernels) and with AVX2 off too (the plain-Go fallback), as far
// as this CPU allows.
func TestConvTwinsAVX2(t *testing.T) {
	if !haveAVX2 {
		t.Skip("CPU lacks AVX2")
	}
	defer func(a2, a512, vnni bool) { haveAVX2, haveAVX512, haveVNNI = a2, a512, vnni }(haveAVX2, haveAVX512, haveVNNI)
	haveAVX512, haveVNNI = false, false
	t.Run("avx2", checkTwins)
	t.Run("avx2_eltwise", checkEltwise)
	haveAVX2 = false
	t.Run("plain", checkTwins)
	t.Run("plain_eltwise", checkEltwise)
}

// TestRequantVectors holds requant8 and requant16 equal to Requantize on
// exact ties (acc·mult = n + 0.5), values around the clamp bounds and far
// outside them, and random values, for several zero points.
func TestRequantVectors(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	type in struct {
		acc  int32
		mult float32
	}
	var ins []in
	for acc := int32(-1200); acc <= 1200; acc++ {
		ins = append(ins, in{acc, 0.5}, in{acc, 0.25}, in{acc, 1})
	}
	for i := 0; i < 20000; i++ {
		ins = append(ins, in{int32(r.IntN(1<<22) - 1<<21), float32(r.Float64() * 0.01)})
		ins = append(ins, in{int32(r.Uint32()), float32(r.Float64())})
	}
	for _, zp := range []int32{0, 1, 114, 128, 255} {
		q8, q16 := newRQ8(zp), newRQ16(zp)
		for i := 0; i+16 <= len(ins); i += 16 {
			var acc [16]int32
			var mult [16]float32
			for j := range acc {
				acc[j], mult[j] = ins[i+j].acc, ins[i+j].mult
			}
			var got8 [8]int32
			requant8(archsimd.LoadInt32x8(acc[:8]), archsimd.LoadFloat32x8(mult[:8]), &q8).Store(got8[:])
			var got16 [16]uint8
			if haveAVX512 {
				requant16(archsimd.LoadInt32x16(acc[:]), archsimd.LoadFloat32x16(mult[:]), &q16).Store(got16[:])
			}
			for j := range acc {
				want := Requantize(acc[j], mult[j], zp)
				if j < 8 && got8[j] != int32(want) {
					t.Fatalf("requant8(%d·%v, zp %d) = %d, want %d", acc[j], mult[j], zp, got8[j], want)
				}
				if haveAVX512 && got16[j] != want {
					t.Fatalf("requant16(%d·%v, zp %d) = %d, want %d", acc[j], mult[j], zp, got16[j], want)
				}
			}
		}
	}
}
