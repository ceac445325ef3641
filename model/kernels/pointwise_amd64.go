//go:build goexperiment.simd && amd64

package kernels

import "simd/archsimd"

// Pointwise convolution as a GEMM, dst[P×M] = src[P×K]·W[K×M] with P
// pixels, K input and M output channels (NHWC: a pixel's K inputs and its
// M outputs are contiguous).
//
// On CPUs with AVX-512 VNNI, pointwise_vnni_amd64.go's assembly kernels
// run instead (Prepare picks the layout); this is the kernel elsewhere.
//
// The multiply is VPMADDWD (DotProductPairs): it multiplies int16 pairs
// and adds each pair into one int32 lane. Pairing two input channels
// (k, k+1) of one pixel with the same two channels of several output
// channels' weights gives that many outputs' partial sums per instruction.
// It is exact: |x−zp| ≤ 255 and |w| ≤ 128, so a pair sum is below 2¹⁷ and
// the int32 sum of K ≤ 1280 inputs below 2²⁸: the same integers as the
// reference's int32 loop, in another order.
//
// The input is widened once per layer to int16 pairs (x−zp), so a pixel's
// pair kk is one int32 to broadcast. The weights are packed once (Prepare)
// into blocks of 32 output channels (the last one 16 wide if M/16 is odd),
// pair-interleaved so that a vector load gives 16 or 8 channels' (W[m][k],
// W[m][k+1]).
//
// Register blocking, chosen by measurement (BenchmarkConv): AVX-512 runs 4
// pixels × 32 channels, eight Int32x16 accumulators; per input pair it
// loads 2 weight vectors and broadcasts 4 pair values for 8 multiply-adds.
// Go's register allocator schedules all products of an iteration before
// the adds, so each accumulator needs a second register: 6×32 (12
// accumulators) already spills and ran at half the speed. AVX2 has 16
// registers and runs 3 pixels × 16 channels. Loop order: weight block
// outer, pixels inner, so a block's weights (k2·128 bytes) stay in L1
// while the pixels stream past.

// pwRows is the pixel padding of the widened input: a multiple of both
// kernels' pixel block (4 and 3), so no kernel reads past it.
const pwRows = 12

// packPairs lays out weights w(m, k) for the pair GEMM: k2 = ⌈K/2⌉ input
// pairs; M rounded up to 16 channels, in blocks of 32 (the last one 16
// wide if needed). In a block of width bw starting at channel m0, channel
// m0+j, pair kk, half h is at base + kk·2bw + 2j + h.
func packPairs(M, K int, w func(m, k int) int8) *packed {
	k2 := (K + 1) / 2
	mp := (M + 15) &^ 15
	out := make([]int16, mp*k2*2)
	for m := 0; m < M; m++ {
		m0 := m &^ 31
		bw := min(32, mp-m0)
		base := m0 * k2 * 2
		for k := 0; k < K; k++ {
			out[base+(k/2)*2*bw+2*(m-m0)+k%2] = int16(w(m, k))
		}
	}
	return &packed{w: out, k2: k2}
}

// widenRows writes pixel p's inputs src[p·K+k]−zp as int16 into xs (int16
// pairs, k2 per pixel, an odd K padded with 0) for p < P, and zeroes the
// rows up to the next multiple of pwRows.
func widenRows(xs []int32, src []uint8, P, K int, zp int32) {
	k2 := (K + 1) / 2
	if K%2 == 0 {
		// Pixels are contiguous in both layouts: one pass over all bytes.
		widenPairs(xs[:P*k2], src[:P*K], zp)
	} else {
		for p := 0; p < P; p++ {
			widenPairs(xs[p*k2:(p+1)*k2], src[p*K:(p+1)*K], zp)
		}
	}
	clear(xs[P*k2 : (P+pwRows-1)/pwRows*pwRows*k2])
}

// widenPairs writes x[k]−zp as int16 into dst, two per int32 (low half
// first), padding an odd count with 0.
func widenPairs(dst []int32, x []uint8, zp int32) {
	n := len(x)
	zpv := archsimd.BroadcastInt16x16(int16(zp))
	k := 0
	for ; k+16 <= n; k += 16 {
		v := archsimd.LoadUint8x16(x[k : k+16]).ExtendToUint16().BitsToInt16().Sub(zpv)
		v.ToBits().ReshapeToUint32s().BitsToInt32().Store(dst[k/2 : k/2+8])
	}
	for ; k < n; k += 2 {
		lo := int32(x[k]) - zp
		var hi int32
		if k+1 < n {
			hi = int32(x[k+1]) - zp
		}
		dst[k/2] = int32(uint32(uint16(int16(lo))) | uint32(uint16(int16(hi)))<<16)
	}
}

// pointwiseSIMD computes PointwiseRef (see the comment at the top).
func pointwiseSIMD(dst, src []uint8, P int, c *Conv, s *Scratch) {
	pk := c.packed
	if pk.vw != nil {
		if pk.vxzp != c.XZP { // XZP changed since Prepare: the folded bias is stale
			PointwiseRef(dst, src, P, c)
			return
		}
		pointwiseVNNI(dst, src, P, c, s)
		return
	}
	xs := s.int32Buf((P + pwRows - 1) / pwRows * pwRows * pk.k2)
	widenRows(xs, src, P, c.K, c.XZP)
	gemm(dst, xs, P, c.M, pk, c.YZP)
}

// gemm computes dst[P×M] from the widened pairs xs and packed weights.
func gemm(dst []uint8, xs []int32, P, M int, pk *packed, yzp int32) {
	if haveAVX512 {
		gemm512(dst, xs, P, M, pk, yzp)
	} else {
		gemm256(dst, xs, P, M, pk, yzp)
	}
}

func bcast16(v int32) archsimd.Int16x32 {
	return archsimd.BroadcastInt32x16(v).ToBits().ReshapeToUint16s().BitsToInt16()
}

func bcast8(v int32) archsimd.Int16x16 {
	return archsimd.BroadcastInt32x8(v).ToBits().ReshapeToUint16s().BitsToInt16()
}

// store16 writes the 16 bytes v to dst[:n], n ≤ 16.
func store16(dst []uint8, v archsimd.Uint8x16, n int) {
	if n == 16 {
		v.Store(dst[:16])
	} else {
		v.StorePart(dst[:n])
	}
}

// gemm512 is the AVX-512 GEMM: 4 pixels × 32 channels per step.
func gemm512(dst []uint8, xs []int32, P, M int, pk *packed, yzp int32) {
	k2 := pk.k2
	mp := (M + 15) &^ 15
	q := newRQ16(yzp)
	m0 := 0
	for ; m0+32 <= mp; m0 += 32 {
		w := pk.w[m0*k2*2 : (m0+32)*k2*2]
		b0 := archsimd.LoadInt32x16(pk.bias[m0 : m0+16])
		b1 := archsimd.LoadInt32x16(pk.bias[m0+16 : m0+32])
		mu0 := archsimd.LoadFloat32x16(pk.mult[m0 : m0+16])
		mu1 := archsimd.LoadFloat32x16(pk.mult[m0+16 : m0+32])
		n0, n1 := min(16, M-m0), min(16, M-m0-16)
		for p0 := 0; p0 < P; p0 += 4 {
			x0 := xs[p0*k2 : (p0+1)*k2]
			x1 := xs[(p0+1)*k2 : (p0+2)*k2][:len(x0)]
			x2 := xs[(p0+2)*k2 : (p0+3)*k2][:len(x0)]
			x3 := xs[(p0+3)*k2 : (p0+4)*k2][:len(x0)]
			a00, a01, a10, a11 := b0, b1, b0, b1
			a20, a21, a30, a31 := b0, b1, b0, b1
			for kk := range x0 {
				wv := w[kk*64 : kk*64+64]
				w0 := archsimd.LoadInt16x32(wv[:32])
				w1 := archsimd.LoadInt16x32(wv[32:])
				v := bcast16(x0[kk])
				a00 = a00.Add(v.DotProductPairs(w0))
				a01 = a01.Add(v.DotProductPairs(w1))
				v = bcast16(x1[kk])
				a10 = a10.Add(v.DotProductPairs(w0))
				a11 = a11.Add(v.DotProductPairs(w1))
				v = bcast16(x2[kk])
				a20 = a20.Add(v.DotProductPairs(w0))
				a21 = a21.Add(v.DotProductPairs(w1))
				v = bcast16(x3[kk])
				a30 = a30.Add(v.DotProductPairs(w0))
				a31 = a31.Add(v.DotProductPairs(w1))
			}
			out := dst[p0*M+m0:]
			store16(out, requant16(a00, mu0, &q), n0)
			store16(out[16:], requant16(a01, mu1, &q), n1)
			if p0+1 < P {
				out = out[M:]
				store16(out, requant16(a10, mu0, &q), n0)
				store16(out[16:], requant16(a11, mu1, &q), n1)
			}
			if p0+2 < P {
				out = out[M:]
				store16(out, requant16(a20, mu0, &q), n0)
				store16(out[16:], requant16(a21, mu1, &q), n1)
			}
			if p0+3 < P {
				out = out[M:]
				store16(out, requant16(a30, mu0, &q), n0)
				store16(out[16:], requant16(a31, mu1, &q), n1)
			}
		}
	}
	if m0 < mp { // one block of 16 channels left
		w := pk.w[m0*k2*2 : (m0+16)*k2*2]
		b0 := archsimd.LoadInt32x16(pk.bias[m0 : m0+16])
		mu0 := archsimd.LoadFloat32x16(pk.mult[m0 : m0+16])
		n0 := M - m0
		for p0 := 0; p0 < P; p0 += 4 {
			x0 := xs[p0*k2 : (p0+1)*k2]
			x1 := xs[(p0+1)*k2 : (p0+2)*k2][:len(x0)]
			x2 := xs[(p0+2)*k2 : (p0+3)*k2][:len(x0)]
			x3 := xs[(p0+3)*k2 : (p0+4)*k2][:len(x0)]
			a0, a1, a2, a3 := b0, b0, b0, b0
			for kk := range x0 {
				w0 := archsimd.LoadInt16x32(w[kk*32 : kk*32+32])
				a0 = a0.Add(bcast16(x0[kk]).DotProductPairs(w0))
				a1 = a1.Add(bcast16(x1[kk]).DotProductPairs(w0))
				a2 = a2.Add(bcast16(x2[kk]).DotProductPairs(w0))
				a3 = a3.Add(bcast16(x3[kk]).DotProductPairs(w0))
			}
			out := dst[p0*M+m0:]
			store16(out, requant16(a0, mu0, &q), n0)
			if p0+1 < P {
				store16(out[M:], requant16(a1, mu0, &q), n0)
			}
			if p0+2 < P {
				store16(out[2*M:], requant16(a2, mu0, &q), n0)
			}
			if p0+3 < P {
				store16(out[3*M:], requant16(a3, mu0, &q), n0)
			}
		}
	}
}

// gemm256 is the AVX2 GEMM: 3 pixels × 16 channels per step, six Int32x8
// accumulators (with their products, 12 of the 16 registers).
func gemm256(dst []uint8, xs []int32, P, M int, pk *packed, yzp int32) {
	k2 := pk.k2
	mp := (M + 15) &^ 15
	q := newRQ8(yzp)
	for m0 := 0; m0 < mp; m0 += 16 {
		// Channel m0 lies in the block starting at m0&^31, of width bw;
		// its 16 channels are at offset off within each pair row.
		blk := m0 &^ 31
		bw := min(32, mp-blk)
		off := 2 * (m0 - blk)
		w := pk.w[blk*k2*2 : (blk+bw)*k2*2]
		b0 := archsimd.LoadInt32x8(pk.bias[m0 : m0+8])
		b1 := archsimd.LoadInt32x8(pk.bias[m0+8 : m0+16])
		mu0 := archsimd.LoadFloat32x8(pk.mult[m0 : m0+8])
		mu1 := archsimd.LoadFloat32x8(pk.mult[m0+8 : m0+16])
		n0, n1 := min(8, M-m0), max(0, min(8, M-m0-8))
		for p0 := 0; p0 < P; p0 += 3 {
			x0 := xs[p0*k2 : (p0+1)*k2]
			x1 := xs[(p0+1)*k2 : (p0+2)*k2][:len(x0)]
			x2 := xs[(p0+2)*k2 : (p0+3)*k2][:len(x0)]
			a00, a01, a10, a11, a20, a21 := b0, b1, b0, b1, b0, b1
			for kk := range x0 {
				wv := w[kk*2*bw+off : kk*2*bw+off+32]
				w0 := archsimd.LoadInt16x16(wv[:16])
				w1 := archsimd.LoadInt16x16(wv[16:])
				v := bcast8(x0[kk])
				a00 = a00.Add(v.DotProductPairs(w0))
				a01 = a01.Add(v.DotProductPairs(w1))
				v = bcast8(x1[kk])
				a10 = a10.Add(v.DotProductPairs(w0))
				a11 = a11.Add(v.DotProductPairs(w1))
				v = bcast8(x2[kk])
				a20 = a20.Add(v.DotProductPairs(w0))
				a21 = a21.Add(v.DotProductPairs(w1))
			}
			out := dst[p0*M+m0:]
			storeBytes8(out, requant8(a00, mu0, &q), n0)
			storeBytes8(out[n0:], requant8(a01, mu1, &q), n1)
			if p0+1 < P {
				out = out[M:]
				storeBytes8(out, requant8(a10, mu0, &q), n0)
				storeBytes8(out[n0:], requant8(a11, mu1, &q), n1)
			}
			if p0+2 < P {
				out = out[M:]
				storeBytes8(out, requant8(a20, mu0, &q), n0)
				storeBytes8(out[n0:], requant8(a21, mu1, &q), n1)
			}
		}
	}
}
