//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

//go:generate go run gen_vnni.go

// The pointwise GEMM with AVX-512 VNNI, in Go assembly (simd/archsimd has
// no VPDPBUSD). VPDPBUSD multiplies 4 unsigned bytes by 4 signed bytes and
// adds the 4 products into one int32 lane: a whole input quad of 16 output
// channels per instruction, straight from the uint8 activations, where the
// VPMADDWD kernel (pointwise_amd64.go) needs the input widened to int16
// first, and twice the multiplies plus an add.
//
// Zero point: VPDPBUSD takes the activations x as they are (unsigned), so
// the zero point is folded into the bias once, at Prepare:
//
//	Σ_k (x_k−xzp)·w_k + bias = Σ_k x_k·w_k + (bias − xzp·Σ_k w_k)
//
// Exactness: every step is int32 arithmetic modulo 2³² (Go's int32 wraps,
// and so does the non-saturating VPDPBUSD), so the accumulator equals the
// reference's bit for bit whatever the values; in this network it does not
// even wrap (|Σ x·w| ≤ 1280·255·128 < 2³¹).
//
// Weight layout (packVNNI): output channels in blocks of nv·16, nv = 1..4
// (vnniBlocks spreads M over as few blocks as possible, evenly); K padded
// to k4 = ⌈K/4⌉ quads with zero weights. In a block, quad q is nv·64
// bytes, and vector v's 64 bytes hold channel 16v+j's W[m][4q..4q+3] at
// bytes 4j..4j+3: the operand VPDPBUSD multiplies with a pixel's quad
// broadcast to all 16 lanes. Channels past M (up to a multiple of 16) have
// zero weights, bias and multiplier, and their results are not stored.
//
// Register blocking (gen_vnni.go): np pixels × nv vectors of int32
// accumulators, np·nv ≤ 24 (6×4, 8×3, 12×2, 12×1); per quad the kernel
// loads the nv weight vectors once and broadcasts each pixel's quad
// (VPBROADCASTD from memory) for nv VPDPBUSDs, so a weight load feeds np
// instructions. The quad loop is unrolled twice. Loop order: weight block
// outer, pixel blocks inner (inside the assembly), so a block's weights
// (k4·nv·64 bytes, ≤ 20 KiB up to K = 320) stay in L1 while the pixels
// stream past. The last, partial pixel block runs the kernel generated for
// exactly that many pixels, so nothing is padded or copied (unless K%4 ≠ 0,
// where the input rows are copied to a padded scratch).
//
// Requantization runs on the accumulators in registers. With
// v = float32(acc)·mult (VCVTDQ2PS, VMULPS: the same roundings as Go's),
// the kernel clamps v to at most 255−zp (VMINPS) and rounds it half to
// even to int32 r (VCVTPS2DQ with {rn-sae}; below −2³¹ it gives the
// "integer indefinite" −2³¹). Then, for a pixel's 2..4 vectors together,
// VPACKSSDW saturates r to int16, VPADDSW adds zp saturating, VPACKUSWB
// saturates to 0..255, and one VPERMD restores the channel order for a
// single masked store; with one vector, VPADDD zp, VPMAXSD 0 and
// VPMOVUSDB do the same. For zp in 0..255 this is Requantize exactly:
// where v > 255−zp both give 255; where v < −1024 Requantize clamps to
// −1024 and this has r ≤ −1024, and both saturate to 0; in between both
// are sat(rne(v)+zp), and the int16 saturation of r (|r| ≤ 2³¹) only
// moves values that saturate anyway. TestRequantVNNI holds it equal to
// Requantize on ties and extremes.

// haveVNNI says the CPU has AVX-512 VNNI (VPDPBUSD on zmm registers). The
// tests clear it to run the VPMADDWD kernels too.
var haveVNNI = haveAVX512 && archsimd.X86.AVX512VNNI()

// vnniArgs is what the assembly kernels read; its field offsets are
// #defined in pointwise_vnni_amd64.s (checked by TestVNNIArgsLayout).
type vnniArgs struct {
	dst       *uint8   // first output of the first pixel block (channel m0)
	src       *uint8   // first input row
	w         *int8    // the block's packed weights
	bias      *int32   // folded bias of channels m0..m0+16nv
	mult      *float32 // multipliers of the same channels
	dstStride int      // bytes between output pixels (M)
	srcStride int      // bytes between input pixels (4·k4)
	k4        int      // input quads
	tiles     int      // pixel blocks to compute, ≥ 1
	hi        float32  // 255 − yzp
	zp        int32    // yzp
	mask      uint64   // store mask of a pixel's 16·nv output bytes
}

// vnniBlock is one block of output channels: the first channel, the width
// in 16-channel vectors, and the offset of its weights in packed.vw.
type vnniBlock struct {
	m0, nv, off int
}

// vnniBlocks splits mp (a multiple of 16) output channels into the fewest
// blocks of at most 4 vectors, as even as possible (144 = 3×48 rather than
// 64+64+16), so that every block runs a large register block.
func vnniBlocks(mp, k4 int) []vnniBlock {
	vecs := mp / 16
	nb := (vecs + 3) / 4
	var bs []vnniBlock
	m0, off := 0, 0
	for b := 0; b < nb; b++ {
		nv := vecs / nb
		if b < vecs%nb {
			nv++
		}
		bs = append(bs, vnniBlock{m0: m0, nv: nv, off: off})
		m0 += 16 * nv
		off += k4 * 64 * nv
	}
	return bs
}

// packVNNI lays out a pointwise Conv's weights for the VNNI kernels (see
// the comment at the top) and folds the input zero point into the bias.
func packVNNI(c *Conv) *packed {
	K := c.K
	return packVNNIWeights(c.M, K, func(m, k int) int8 { return c.W[m*K+k] }, c)
}

// packVNNIWeights packs M×K weights w(m, k) in the VNNI layout, with c's
// bias (less c.XZP·Σ_k w(m, k)) and multipliers. The stem uses it too,
// with its patch layout as K.
func packVNNIWeights(M, K int, w func(m, k int) int8, c *Conv) *packed {
	k4 := (K + 3) / 4
	mp := (M + 15) &^ 15
	pk := &packed{
		vk4:    k4,
		vxzp:   c.XZP,
		vw:     make([]int8, mp*k4*4),
		vbias:  make([]int32, mp),
		mult:   make([]float32, mp),
		blocks: vnniBlocks(mp, k4),
	}
	copy(pk.mult, c.Mult)
	for _, b := range pk.blocks {
		bw := 16 * b.nv
		for j := 0; j < bw && b.m0+j < M; j++ {
			m := b.m0 + j
			var sum int32
			for k := 0; k < K; k++ {
				v := w(m, k)
				pk.vw[b.off+(k/4)*4*bw+4*j+k%4] = v
				sum += int32(v)
			}
			pk.vbias[m] = c.Bias[m] - c.XZP*sum
		}
	}
	return pk
}

// pointwiseVNNI computes PointwiseRef with the VNNI kernels.
func pointwiseVNNI(dst, src []uint8, P int, c *Conv, s *Scratch) {
	K, stride := c.K, 4*c.packed.vk4
	if P <= 0 {
		return
	}
	_ = src[P*K-1]
	if stride != K {
		xs := s.byteBuf(P * stride)
		for p := 0; p < P; p++ {
			row := xs[p*stride : (p+1)*stride]
			copy(row, src[p*K:(p+1)*K])
			clear(row[K:])
		}
		src = xs
	}
	vnniGEMM(dst, src, P, c.M, c.packed, c.YZP)
}

// vnniGEMM computes dst[P×M] from P input rows of 4·pk.vk4 bytes each
// and pk's VNNI weights, requantizing with output zero point yzp.
func vnniGEMM(dst, src []uint8, P, M int, pk *packed, yzp int32) {
	stride := 4 * pk.vk4
	// The assembly trusts these bounds.
	_ = src[P*stride-1]
	_ = dst[P*M-1]
	a := vnniArgs{
		src:       &src[0],
		dstStride: M,
		srcStride: stride,
		k4:        pk.vk4,
		hi:        float32(255 - yzp),
		zp:        yzp,
	}
	for _, b := range pk.blocks {
		a.w = &pk.vw[b.off]
		a.bias = &pk.vbias[b.m0]
		a.mult = &pk.mult[b.m0]
		// Store mask: the block's valid output bytes (for nv = 1, the
		// kernel reads the low 16 bits).
		a.mask = ^uint64(0) >> (64 - min(16*b.nv, M-b.m0))
		np := vnniMaxNP[b.nv]
		full := P / np
		if full > 0 {
			a.dst, a.src, a.tiles = &dst[b.m0], &src[0], full
			vnniKernels[b.nv][np](&a)
		}
		if r := P - full*np; r > 0 {
			a.dst, a.src, a.tiles = &dst[full*np*M+b.m0], &src[full*np*stride], 1
			vnniKernels[b.nv][r](&a)
		}
	}
}
