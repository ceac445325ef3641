//go:build ignore

// This program generates kernels.wasm, a small WebAssembly module with
// SIMD128 kernels for Posterity's int8 MobileNetV2 in the browser. Run it
// with `go generate` in model/kernels/wasmkern.
//
// Why a separate module: the instruction these kernels are built on,
// i32x4.dot_i16x8_s (pmaddwd on x86: 8 int16 products summed in pairs into
// 4 int32 lanes), is not reachable through simd/archsimd on wasm, and Go's
// wasm back end compiles loops into its own block dispatch, which V8 runs
// far slower than a plain wasm loop. The same GEMM ran 3× faster as this
// module (BenchmarkFeatures with and without the wasmkernels build tag).
//
// The module imports the Go instance's linear memory ("go" "mem") and
// works on Go slices in place: every pointer argument is a byte offset
// into that memory. The Go side (gemm_module_wasm.go and
// depthwise_module_wasm.go in package kernels) declares each export with
// //go:wasmimport posterity_kernels <name>; the host forwards those
// imports to this module's exports (see wasmkern.go).
//
// Exports (all arguments i32, no results):
//
//	gemm(dst, xs, P, M, w, bias, mult, k2, yzp)
//
// dst[P×M] (uint8, row stride M) = requant(bias + xs[P×2k2]·W), with xs
// the int16 inputs (x−zp) of P pixels, 2·k2 per pixel (rows padded to a
// multiple of 4 pixels), and w the weights in blocks of 8 output channels:
// block b, input pair kk, channel j, half h at int16 index
// (b·k2 + kk)·16 + 2j + h. M must be a multiple of 8. 4 pixels × 8
// channels per step, eight i32x4 accumulators.
//
//	widen(dst, src, n, zp)
//	quantize(dst, src, P, scaleBits, zp)
//
// widen and quantize are the input side: the pointwise GEMM's widening of
// a layer's bytes to int16 (x−zp), and QuantizeLinear of the float32 RGB
// image (see their builders).
//
//	dwrow(out, r0, r1, r2, zprow, OW, W, C, st, w, bias, mult, yzp)
//
// One output row (OW pixels × C channels, uint8) of a 3×3 depthwise
// convolution with stride st from three input rows r0..r2 (W×C bytes; a
// row outside the image is zprow, W×C bytes of the input zero point, which
// also stands for the taps left and right of the image). The zero point is
// folded into bias (bias − zp·Σw), so taps are raw bytes. w: for each
// block of 8 channels, 5 tap pairs (t0,t1) (t2,t3) (t4,t5) (t6,t7) (t8,–),
// each as 2 × 8 int16 (w_a[c], w_b[c]) for channels c..c+3 and c+4..c+7:
// 160 bytes per block. C must be a multiple of 16. Per pixel and 16
// channels: each tap pair is loaded as zero-extended int16 (load8x8_u),
// interleaved (i8x16.shuffle, punpck on x86) and multiplied with one dot.
//
// bias (int32) and mult (float32) are per output channel, padded to whole
// blocks. Requantization is the exact float32 recipe of
// shared/models/golden/README.md, as in package kernels' requant4.
package main

import (
	"bytes"
	"flag"
	"log"
	"os"
)

// Value types and opcodes, from the WebAssembly core specification 2.0
// (§5.3 types, §5.4 instructions, §5.4.8 vector instructions).
const (
	tI32  = 0x7f
	tV128 = 0x7b

	blockVoid = 0x40
)

const (
	opBlock       = 0x02
	opLoop        = 0x03
	opIf          = 0x04
	opEnd         = 0x0b
	opBr          = 0x0c
	opBrIf        = 0x0d
	opSelect      = 0x1b
	opGet         = 0x20
	opSet         = 0x21
	opTee         = 0x22
	opI32Const    = 0x41
	opI32LtS      = 0x48
	opI32LtU      = 0x49
	opI32GeS      = 0x4e
	opI32GeU      = 0x4f
	opI32Add      = 0x6a
	opI32Sub      = 0x6b
	opI32Mul      = 0x6c
	opF32FromI32  = 0xb2 // f32.convert_i32_s
	opF32FromBits = 0xbe // f32.reinterpret_i32
)

// Vector opcodes (after the 0xfd prefix).
const (
	vLoad         = 0x00
	vLoad8x8U     = 0x02
	vLoad32Splat  = 0x09
	vStore        = 0x0b
	vConst        = 0x0c
	vShuffle      = 0x0d
	vI32Splat     = 0x11
	vF32Splat     = 0x13
	vStore64Lane  = 0x5b
	vU8NarrowI16  = 0x66 // i8x16.narrow_i16x8_u
	vF32Nearest   = 0x6a
	vI16NarrowI32 = 0x85 // i16x8.narrow_i32x4_s
	vI16Sub       = 0x91
	vI16Splat     = 0x10
	vI32Add       = 0xae
	vI32DotI16    = 0xba
	vF32Add       = 0xe4
	vF32Mul       = 0xe6
	vF32Div       = 0xe7
	vI32TruncF32  = 0xf8 // i32x4.trunc_sat_f32x4_s
	vF32FromI32   = 0xfa // f32x4.convert_i32x4_s
)

func uleb(b *bytes.Buffer, v uint64) {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		b.WriteByte(c)
		if v == 0 {
			return
		}
	}
}

func sleb(b *bytes.Buffer, v int64) {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			b.WriteByte(c)
			return
		}
		b.WriteByte(c | 0x80)
	}
}

// fn assembles one function body. Its methods append one instruction each
// and return f, so a line of code reads as a stack expression:
// f.get(a).get(b).op(opI32Add).set(c) is c = a + b.
type fn struct {
	name   string
	params int // all i32
	locals []byte
	code   bytes.Buffer
}

// local adds a local of type t and returns its index.
func (f *fn) local(t byte) int {
	f.locals = append(f.locals, t)
	return f.params + len(f.locals) - 1
}

func (f *fn) op(b ...byte) *fn   { f.code.Write(b); return f }
func (f *fn) get(l int) *fn      { f.op(opGet); uleb(&f.code, uint64(l)); return f }
func (f *fn) set(l int) *fn      { f.op(opSet); uleb(&f.code, uint64(l)); return f }
func (f *fn) tee(l int) *fn      { f.op(opTee); uleb(&f.code, uint64(l)); return f }
func (f *fn) i32(v int32) *fn    { f.op(opI32Const); sleb(&f.code, int64(v)); return f }
func (f *fn) br(depth int) *fn   { f.op(opBr); uleb(&f.code, uint64(depth)); return f }
func (f *fn) brIf(depth int) *fn { f.op(opBrIf); uleb(&f.code, uint64(depth)); return f }
func (f *fn) v(op uint32) *fn    { f.op(0xfd); uleb(&f.code, uint64(op)); return f }

// vm appends a vector memory instruction with its alignment exponent and
// offset.
func (f *fn) vm(op uint32, align, offset uint32) *fn {
	f.v(op)
	uleb(&f.code, uint64(align))
	uleb(&f.code, uint64(offset))
	return f
}

// add pushes local a + local b (i32).
func (f *fn) add(a, b int) *fn { return f.get(a).get(b).op(opI32Add) }

// inc adds the constant d to the i32 local l.
func (f *fn) inc(l int, d int32) *fn { return f.get(l).i32(d).op(opI32Add).set(l) }

// forLt opens "for ; l < n; {" as block+loop; the body must end with
// endFor, after incrementing l.
func (f *fn) forLt(l, n int) *fn {
	return f.op(opBlock, blockVoid, opLoop, blockVoid).get(l).get(n).op(opI32GeS).brIf(1)
}

func (f *fn) endFor() *fn { return f.br(0).op(opEnd, opEnd) }

// requant consumes an i32x4 accumulator on the stack and pushes
// trunc_sat(nearest(float(acc)·mult) + zp) (zp as float32); the two
// saturating narrows that follow (i16x8.narrow_i32x4_s,
// i8x16.narrow_i16x8_u) clamp it to 0..255. That is Requantize exactly:
// r = nearest(…) is an integer, r + zp is exact while |r| < 2²⁴ − 255, and
// beyond that the sum keeps its sign and magnitude ≥ 2²⁴, so it saturates
// the same way; i32x4.trunc_sat saturates instead of wrapping.
func (f *fn) requant(mult, zpf int) *fn {
	return f.v(vF32FromI32).get(mult).v(vF32Mul).v(vF32Nearest).get(zpf).v(vF32Add).v(vI32TruncF32)
}

// rqConst sets zpf to yzp as a float32 vector.
func (f *fn) rqConst(yzp, zpf int) {
	f.get(yzp).op(opF32FromI32).v(vF32Splat).set(zpf)
}

// gemm builds the GEMM kernel (see the package comment).
func gemm(mr int) *fn {
	f := &fn{name: "gemm", params: 9}
	const dst, xs, P, M, w, bias, mult, k2, yzp = 0, 1, 2, 3, 4, 5, 6, 7, 8
	m0, p0, kk, wp, xp, rs, out := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	wblk := f.local(tI32)
	rsi := make([]int, mr) // rsi[i] = i·rs
	for i := 1; i < mr; i++ {
		rsi[i] = f.local(tI32)
	}
	acc := make([]int, 2*mr) // acc[2i+h]: pixel i, channels 4h..4h+3 of the block
	for i := range acc {
		acc[i] = f.local(tV128)
	}
	w0, w1, xv := f.local(tV128), f.local(tV128), f.local(tV128)
	b0, b1, mu0, mu1 := f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128)
	zpf := f.local(tV128)

	f.get(k2).i32(4).op(opI32Mul).set(rs) // bytes per pixel row of xs
	for i := 1; i < mr; i++ {
		f.get(rs).i32(int32(i)).op(opI32Mul).set(rsi[i])
	}
	f.rqConst(yzp, zpf)

	f.i32(0).set(m0).forLt(m0, M) // blocks of 8 output channels
	f.get(m0).i32(4).op(opI32Mul).get(bias).op(opI32Add).set(wp)
	f.get(wp).vm(vLoad, 4, 0).set(b0).get(wp).vm(vLoad, 4, 16).set(b1)
	f.get(m0).i32(4).op(opI32Mul).get(mult).op(opI32Add).set(wp)
	f.get(wp).vm(vLoad, 4, 0).set(mu0).get(wp).vm(vLoad, 4, 16).set(mu1)
	f.get(m0).get(rs).op(opI32Mul).get(w).op(opI32Add).set(wblk) // block m0/8 is 32·k2 bytes

	f.i32(0).set(p0).forLt(p0, P) // mr pixels per step
	for i := range acc {
		f.get([]int{b0, b1}[i%2]).set(acc[i])
	}
	f.get(p0).get(rs).op(opI32Mul).get(xs).op(opI32Add).set(xp)
	f.get(wblk).set(wp)
	f.get(k2).set(kk)
	f.op(opLoop, blockVoid) // do { … } while --kk != 0 (k2 ≥ 1)
	f.get(wp).vm(vLoad, 4, 0).set(w0)
	f.get(wp).vm(vLoad, 4, 16).set(w1)
	for i := 0; i < mr; i++ {
		if i == 0 {
			f.get(xp)
		} else {
			f.add(xp, rsi[i])
		}
		f.vm(vLoad32Splat, 2, 0).set(xv) // the pixel's pair (x[2kk], x[2kk+1])
		for h, wv := range []int{w0, w1} {
			a := acc[2*i+h]
			f.get(a).get(xv).get(wv).v(vI32DotI16).v(vI32Add).set(a)
		}
	}
	f.inc(xp, 4).inc(wp, 32)
	f.get(kk).i32(1).op(opI32Sub).tee(kk).brIf(0)
	f.op(opEnd)

	// Requantize and store pixel p0+i's 8 bytes if p0+i < P.
	f.get(p0).get(M).op(opI32Mul).get(dst).op(opI32Add).get(m0).op(opI32Add).set(out)
	for i := 0; i < mr; i++ {
		f.get(p0).i32(int32(i)).op(opI32Add).get(P).op(opI32LtS).op(opIf, blockVoid)
		f.get(out)
		f.get(acc[2*i]).requant(mu0, zpf)
		f.get(acc[2*i+1]).requant(mu1, zpf)
		f.v(vI16NarrowI32).get(xv).v(vU8NarrowI16) // only the low 8 bytes are stored
		f.vm(vStore64Lane, 0, 0).op(0)
		f.op(opEnd)
		f.get(out).get(M).op(opI32Add).set(out)
	}
	f.inc(p0, int32(mr)).endFor()
	f.inc(m0, 8).endFor()
	f.op(opEnd)
	return f
}

// gemmMR is the GEMM's pixel block, and pwRows in package kernels must be
// a multiple of it (the rows of xs are padded to pwRows).
const gemmMR = 4

// Shuffle patterns interleaving the int16 lanes 0–3 (lo) or 4–7 (hi) of
// two vectors: (a0, b0, a1, b1, …), i.e. punpcklwd / punpckhwd.
var (
	interleaveLo = [16]byte{0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23}
	interleaveHi = [16]byte{8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31}
)

// dwrow builds the depthwise row kernel (see the package comment).
func dwrow() *fn {
	f := &fn{name: "dwrow", params: 13}
	const out, r0, r1, r2, zprow, OW, W, C, st, w, bias, mult, yzp = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
	ox, c, ix, op, wp, bp := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	var tap [9]int // the 9 taps' addresses for the current pixel, channel 0
	for t := range tap {
		tap[t] = f.local(tI32)
	}
	var acc [4]int // channels c..c+3, +4, +8, +12
	for i := range acc {
		acc[i] = f.local(tV128)
	}
	xa, xb, zero, zpf := f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128)
	f.rqConst(yzp, zpf)
	f.v(vConst).op(make([]byte, 16)...).set(zero)

	f.i32(0).set(ox).forLt(ox, OW)
	// Tap addresses: row ky, column ix = ox·st − 1 + kx; a column outside
	// 0..W−1 reads zprow instead (its bytes are all zero points).
	for kx := 0; kx < 3; kx++ {
		f.get(ox).get(st).op(opI32Mul).i32(int32(kx - 1)).op(opI32Add).set(ix)
		for ky, r := range []int{r0, r1, r2} {
			f.get(ix).get(C).op(opI32Mul).get(r).op(opI32Add) // row + ix·C
			f.get(zprow)
			f.get(ix).get(W).op(opI32LtU) // 0 ≤ ix < W, as unsigned
			f.op(opSelect).set(tap[ky*3+kx])
		}
	}
	f.get(ox).get(C).op(opI32Mul).get(out).op(opI32Add).set(op)
	f.get(w).set(wp)
	f.get(bias).set(bp)

	f.i32(0).set(c).forLt(c, C) // 16 channels per step
	for i := range acc {
		f.get(bp).vm(vLoad, 4, uint32(16*i)).set(acc[i])
	}
	pairs := [5][2]int{{0, 1}, {2, 3}, {4, 5}, {6, 7}, {8, -1}}
	for q, pr := range pairs {
		for half := 0; half < 2; half++ { // channels c..c+7, then c+8..c+15
			off := uint32(8 * half)
			f.add(tap[pr[0]], c).vm(vLoad8x8U, 3, off).set(xa)
			if pr[1] >= 0 {
				f.add(tap[pr[1]], c).vm(vLoad8x8U, 3, off).set(xb)
			} else {
				f.get(zero).set(xb)
			}
			// The pair's weights: block c/8+half, pair q, lo/hi 4 channels.
			wo := uint32(160*half + 32*q)
			for h, pat := range [][16]byte{interleaveLo, interleaveHi} {
				a := acc[2*half+h]
				f.get(a).get(xa).get(xb).v(vShuffle).op(pat[:]...)
				f.get(wp).vm(vLoad, 4, wo+uint32(16*h)).v(vI32DotI16).v(vI32Add).set(a)
			}
		}
	}
	// Requantize the 16 channels and store them.
	f.add(op, c)
	for i := range acc {
		f.get(acc[i]).get(mult).get(c).i32(4).op(opI32Mul).op(opI32Add).set(ix)
		f.get(ix).vm(vLoad, 4, uint32(16*i)).set(xa)
		f.requant(xa, zpf)
		if i%2 == 1 {
			f.v(vI16NarrowI32)
		}
	}
	f.v(vU8NarrowI16).vm(vStore, 4, 0)
	f.inc(wp, 320).inc(bp, 64).inc(c, 16).endFor()
	f.inc(ox, 1).endFor()
	f.op(opEnd)
	return f
}

// widen builds widen(dst, src, n, zp): dst[i] = int16(src[i] − zp) for
// i < n, n a multiple of 16 (the caller does the rest).
func widen() *fn {
	f := &fn{name: "widen", params: 4}
	const dst, src, n, zp = 0, 1, 2, 3
	end, zpv := f.local(tI32), f.local(tV128)
	f.get(zp).v(vI16Splat).set(zpv)
	f.add(src, n).set(end)
	f.op(opBlock, blockVoid, opLoop, blockVoid).get(src).get(end).op(opI32GeU).brIf(1) // addresses: unsigned
	f.get(dst).get(src).vm(vLoad8x8U, 3, 0).get(zpv).v(vI16Sub).vm(vStore, 4, 0)
	f.get(dst).get(src).vm(vLoad8x8U, 3, 8).get(zpv).v(vI16Sub).vm(vStore, 4, 16)
	f.inc(src, 16).inc(dst, 32).endFor()
	f.op(opEnd)
	return f
}

// quantize builds quantize(dst, src, P, scaleBits, zp), QuantizeLinear of
// a 3×P float32 image (NCHW, planes of P) to P×3 uint8 (NHWC), 16 pixels
// per step (P a multiple of 16; the caller does the rest):
// q = sat(nearest(x / scale) + zp), the saturation by trunc_sat and the
// narrows as in requant. The three planes' 16 bytes are interleaved into
// 48 bytes of RGB with two shuffles per 16 output bytes.
func quantize() *fn {
	f := &fn{name: "quantize", params: 5}
	const dst, src, P, scaleBits, zp = 0, 1, 2, 3, 4
	p, plane := f.local(tI32), f.local(tI32)
	sc, zpf, t := f.local(tV128), f.local(tV128), f.local(tV128)
	var ch [3]int
	for i := range ch {
		ch[i] = f.local(tV128)
	}
	f.get(scaleBits).op(opF32FromBits).v(vF32Splat).set(sc)
	f.rqConst(zp, zpf)
	f.get(P).i32(4).op(opI32Mul).set(plane) // bytes per plane
	f.i32(0).set(p).forLt(p, P)
	for c := 0; c < 3; c++ {
		// 16 pixels of plane c at src + c·plane + 4p.
		for i := 0; i < 4; i++ {
			f.get(src).get(p).i32(4).op(opI32Mul).op(opI32Add)
			if c > 0 {
				f.get(plane).i32(int32(c)).op(opI32Mul).op(opI32Add)
			}
			f.vm(vLoad, 2, uint32(16*i)).get(sc).v(vF32Div).v(vF32Nearest).get(zpf).v(vF32Add).v(vI32TruncF32)
			if i%2 == 1 {
				f.v(vI16NarrowI32)
			}
		}
		f.v(vU8NarrowI16).set(ch[c])
	}
	// Output byte j of the 48 is channel j%3 of pixel j/3.
	for o := 0; o < 3; o++ {
		var rg, b [16]byte // first pick R and G (B's bytes: placeholders), then B
		for j := 0; j < 16; j++ {
			q := 16*o + j
			px, c := byte(q/3), q%3
			switch c {
			case 0:
				rg[j], b[j] = px, byte(j)
			case 1:
				rg[j], b[j] = 16+px, byte(j)
			case 2:
				rg[j], b[j] = 0, 16+px
			}
		}
		f.get(dst).get(p).i32(3).op(opI32Mul).op(opI32Add) // address
		f.get(ch[0]).get(ch[1]).v(vShuffle).op(rg[:]...).set(t)
		f.get(t).get(ch[2]).v(vShuffle).op(b[:]...)
		f.vm(vStore, 0, uint32(16*o))
	}
	f.inc(p, 16).endFor()
	f.op(opEnd)
	return f
}

func section(out *bytes.Buffer, id byte, body *bytes.Buffer) {
	out.WriteByte(id)
	uleb(out, uint64(body.Len()))
	out.Write(body.Bytes())
}

func name(b *bytes.Buffer, s string) {
	uleb(b, uint64(len(s)))
	b.WriteString(s)
}

func module(fns []*fn) []byte {
	var out bytes.Buffer
	out.Write([]byte{0x00, 'a', 's', 'm', 1, 0, 0, 0})

	var types bytes.Buffer // one type per function: (i32 × params) → ()
	uleb(&types, uint64(len(fns)))
	for _, f := range fns {
		types.WriteByte(0x60)
		uleb(&types, uint64(f.params))
		for i := 0; i < f.params; i++ {
			types.WriteByte(tI32)
		}
		types.WriteByte(0)
	}
	section(&out, 1, &types)

	var imports bytes.Buffer // the Go instance's memory, no maximum
	uleb(&imports, 1)
	name(&imports, "go")
	name(&imports, "mem")
	imports.Write([]byte{0x02, 0x00, 0x00})
	section(&out, 2, &imports)

	var funcs bytes.Buffer
	uleb(&funcs, uint64(len(fns)))
	for i := range fns {
		uleb(&funcs, uint64(i))
	}
	section(&out, 3, &funcs)

	var exports bytes.Buffer
	uleb(&exports, uint64(len(fns)))
	for i, f := range fns {
		name(&exports, f.name)
		exports.WriteByte(0x00)
		uleb(&exports, uint64(i))
	}
	section(&out, 7, &exports)

	var code bytes.Buffer
	uleb(&code, uint64(len(fns)))
	for _, f := range fns {
		var body bytes.Buffer
		uleb(&body, uint64(len(f.locals))) // one entry per local
		for _, t := range f.locals {
			uleb(&body, 1)
			body.WriteByte(t)
		}
		body.Write(f.code.Bytes())
		uleb(&code, uint64(body.Len()))
		code.Write(body.Bytes())
	}
	section(&out, 10, &code)
	return out.Bytes()
}

func main() {
	out := flag.String("o", "kernels.wasm", "output file")
	flag.Parse()
	if err := os.WriteFile(*out, module([]*fn{gemm(gemmMR), dwrow(), widen(), quantize()}), 0o644); err != nil {
		log.Fatal(err)
	}
}
