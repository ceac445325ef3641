//go:build ignore

// This program generates kernels.wasm, a small WebAssembly module with
// SIMD128 kernels for Posterity's int8 MobileNetV2 in the browser. Run it
// with `go generate` in model/kernels/wasmkern.
//
// Why a separate module: Go's wasm back end cannot reach the instruction
// these kernels are built on (i32x4.dot_i16x8_s, pmaddwd on x86: 8 int16
// products summed in pairs into 4 int32 lanes) through simd/archsimd, and
// it does not keep vectors in registers across its basic blocks the way
// V8 compiles a plain wasm loop; a hand-scheduled module ran the GEMM
// several times faster (docs/design.md §4, and BenchmarkFeatures with and
// without the wasmkernels build tag).
//
// The module imports the Go instance's linear memory ("go" "mem") and
// works on Go slices in place: every pointer argument is an offset into
// that memory. The Go side (kernels_wasmkernels.go in package kernels)
// declares each export with //go:wasmimport posterity_kernels <name>; the
// host forwards those imports to this module's exports.
//
// Exports (all arguments i32):
//
//	gemm(dst, xs, P, M, w, bias, mult, k2, yzp)
//
// dst[P×M] (uint8, row stride M) = requant(bias + xs[P×2k2] · W), with xs
// the int16 inputs (x−zp) of P pixels, 2·k2 per pixel (rows padded to a
// multiple of 4 pixels), w the weights in blocks of 8 output channels:
// block b, input pair kk, channel j, half h at int16 index
// (b·k2 + kk)·16 + 2j + h; bias (int32) and mult (float32) padded to
// whole blocks. M must be a multiple of 8. Requantization is the exact
// float32 recipe of shared/models/golden/README.md, as in requant4.
package main

import (
	"bytes"
	"flag"
	"log"
	"os"
)

// Value types and the few opcodes used, from the WebAssembly core
// specification (§5.3, §5.4) and its SIMD proposal (now §5.4.8).
const (
	tI32  = 0x7f
	tF32  = 0x7d
	tV128 = 0x7b
)

const (
	opBlock      = 0x02
	opLoop       = 0x03
	opIf         = 0x04
	opEnd        = 0x0b
	opBr         = 0x0c
	opBrIf       = 0x0d
	opGet        = 0x20
	opSet        = 0x21
	opTee        = 0x22
	opI32Load    = 0x28
	opI32Cnst    = 0x41
	opI32Eqz     = 0x45
	opI32LtS     = 0x48
	opI32GeS     = 0x4e
	opI32Add     = 0x6a
	opI32Sub     = 0x6b
	opI32Mul     = 0x6c
	opF32FromI32 = 0xb2 // f32.convert_i32_s
	blockVoid    = 0x40
)

// SIMD opcodes (after the 0xfd prefix).
const (
	vLoad         = 0x00
	vLoad32Splat  = 0x09
	vStore        = 0x0b
	vI32Splat     = 0x11
	vF32Splat     = 0x13
	vStore64Lane  = 0x5b
	vU8NarrowI16  = 0x66 // i8x16.narrow_i16x8_u
	vF32Nearest   = 0x6a
	vI16NarrowI32 = 0x85 // i16x8.narrow_i32x4_s
	vI32Add       = 0xae
	vI32DotI16    = 0xba
	vF32Mul       = 0xe6
	vF32Min       = 0xe8
	vF32Max       = 0xe9
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

// fn assembles one function body.
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

func (f *fn) op(b ...byte)   { f.code.Write(b) }
func (f *fn) get(l int)      { f.op(opGet); uleb(&f.code, uint64(l)) }
func (f *fn) set(l int)      { f.op(opSet); uleb(&f.code, uint64(l)) }
func (f *fn) tee(l int)      { f.op(opTee); uleb(&f.code, uint64(l)) }
func (f *fn) i32(v int32)    { f.op(opI32Cnst); sleb(&f.code, int64(v)) }
func (f *fn) br(depth int)   { f.op(opBr); uleb(&f.code, uint64(depth)) }
func (f *fn) brIf(depth int) { f.op(opBrIf); uleb(&f.code, uint64(depth)) }
func (f *fn) v(op uint32)    { f.op(0xfd); uleb(&f.code, uint64(op)) }
func (f *fn) mem(align, offset uint32) {
	uleb(&f.code, uint64(align))
	uleb(&f.code, uint64(offset))
}

// vload pushes the v128 at address local a + offset.
func (f *fn) vload(a int, offset uint32) { f.get(a); f.v(vLoad); f.mem(4, offset) }

// addI32 sets local dst = local a + local b.
func (f *fn) addI32(dst, a, b int) { f.get(a); f.get(b); f.op(opI32Add); f.set(dst) }

// gemm builds the GEMM kernel described in the package comment:
// 4 pixels × 8 channels per step, eight i32x4 accumulators.
func gemm() *fn {
	f := &fn{name: "gemm", params: 9}
	const (
		dst, xs, P, M, w, bias, mult, k2, yzp = 0, 1, 2, 3, 4, 5, 6, 7, 8
	)
	m0, p0, kk, wp, xp, rs, out := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	rs2, rs3, xq, wblk := f.local(tI32), f.local(tI32), f.local(tI32), f.local(tI32)
	var acc [8]int
	for i := range acc {
		acc[i] = f.local(tV128)
	}
	w0, w1, xv := f.local(tV128), f.local(tV128), f.local(tV128)
	b0, b1, mu0, mu1 := f.local(tV128), f.local(tV128), f.local(tV128), f.local(tV128)
	lo, hi, zpv := f.local(tV128), f.local(tV128), f.local(tV128)

	// rs = 4·k2 bytes per pixel row; rs2, rs3 its multiples.
	f.get(k2)
	f.i32(4)
	f.op(opI32Mul)
	f.set(rs)
	f.get(rs)
	f.get(rs)
	f.op(opI32Add)
	f.set(rs2)
	f.get(rs2)
	f.get(rs)
	f.op(opI32Add)
	f.set(rs3)
	// lo = −yzp, hi = 255−yzp as float32; zpv = yzp.
	f.i32(0)
	f.get(yzp)
	f.op(opI32Sub)
	f.op(opF32FromI32)
	f.v(vF32Splat)
	f.set(lo)
	f.i32(255)
	f.get(yzp)
	f.op(opI32Sub)
	f.op(opF32FromI32)
	f.v(vF32Splat)
	f.set(hi)
	f.get(yzp)
	f.v(vI32Splat)
	f.set(zpv)

	// for m0 = 0; m0 < M; m0 += 8
	f.i32(0)
	f.set(m0)
	f.op(opBlock, blockVoid)
	f.op(opLoop, blockVoid)
	f.get(m0)
	f.get(M)
	f.op(opI32GeS)
	f.brIf(1)
	// per-block constants
	f.get(m0)
	f.i32(4)
	f.op(opI32Mul)
	f.get(bias)
	f.op(opI32Add)
	f.tee(xq)
	f.v(vLoad)
	f.mem(4, 0)
	f.set(b0)
	f.vload(xq, 16)
	f.set(b1)
	f.get(m0)
	f.i32(4)
	f.op(opI32Mul)
	f.get(mult)
	f.op(opI32Add)
	f.tee(xq)
	f.v(vLoad)
	f.mem(4, 0)
	f.set(mu0)
	f.vload(xq, 16)
	f.set(mu1)
	// wblk = w + m0·k2·4 (block m0/8 is k2·32 bytes)
	f.get(m0)
	f.get(rs)
	f.op(opI32Mul)
	f.get(w)
	f.op(opI32Add)
	f.set(wblk)

	// for p0 = 0; p0 < P; p0 += 4
	f.i32(0)
	f.set(p0)
	f.op(opBlock, blockVoid)
	f.op(opLoop, blockVoid)
	f.get(p0)
	f.get(P)
	f.op(opI32GeS)
	f.brIf(1)
	for i := range acc {
		if i%2 == 0 {
			f.get(b0)
		} else {
			f.get(b1)
		}
		f.set(acc[i])
	}
	f.get(p0)
	f.get(rs)
	f.op(opI32Mul)
	f.get(xs)
	f.op(opI32Add)
	f.set(xp)
	f.get(wblk)
	f.set(wp)
	f.get(k2)
	f.set(kk)
	// do { … } while --kk != 0 (k2 ≥ 1)
	f.op(opLoop, blockVoid)
	f.vload(wp, 0)
	f.set(w0)
	f.vload(wp, 16)
	f.set(w1)
	for i := 0; i < 4; i++ {
		switch i {
		case 0:
			f.get(xp)
		case 1:
			f.get(xp)
			f.get(rs)
			f.op(opI32Add)
		case 2:
			f.get(xp)
			f.get(rs2)
			f.op(opI32Add)
		case 3:
			f.get(xp)
			f.get(rs3)
			f.op(opI32Add)
		}
		f.v(vLoad32Splat)
		f.mem(2, 0)
		f.set(xv)
		for h, wv := range []int{w0, w1} {
			a := acc[2*i+h]
			f.get(a)
			f.get(xv)
			f.get(wv)
			f.v(vI32DotI16)
			f.v(vI32Add)
			f.set(a)
		}
	}
	f.get(xp)
	f.i32(4)
	f.op(opI32Add)
	f.set(xp)
	f.get(wp)
	f.i32(32)
	f.op(opI32Add)
	f.set(wp)
	f.get(kk)
	f.i32(1)
	f.op(opI32Sub)
	f.tee(kk)
	f.brIf(0)
	f.op(opEnd)

	// Requantize and store pixel p0+i's 8 bytes if p0+i < P.
	f.get(p0)
	f.get(M)
	f.op(opI32Mul)
	f.get(dst)
	f.op(opI32Add)
	f.get(m0)
	f.op(opI32Add)
	f.set(out)
	for i := 0; i < 4; i++ {
		f.get(p0)
		f.i32(int32(i))
		f.op(opI32Add)
		f.get(P)
		f.op(opI32LtS)
		f.op(opIf, blockVoid)
		f.get(out)
		for h, mu := range []int{mu0, mu1} {
			f.get(acc[2*i+h])
			f.v(vF32FromI32)
			f.get(mu)
			f.v(vF32Mul)
			f.v(vF32Nearest)
			f.get(lo)
			f.v(vF32Max)
			f.get(hi)
			f.v(vF32Min)
			f.v(vI32TruncF32)
			f.get(zpv)
			f.v(vI32Add)
		}
		f.v(vI16NarrowI32) // 8 int16 in 0..255
		f.get(xv)          // any second operand: only the low 8 bytes are stored
		f.v(vU8NarrowI16)
		f.v(vStore64Lane)
		f.mem(0, 0)
		f.op(0)
		f.op(opEnd)
		if i < 3 {
			f.get(out)
			f.get(M)
			f.op(opI32Add)
			f.set(out)
		}
	}
	f.get(p0)
	f.i32(4)
	f.op(opI32Add)
	f.set(p0)
	f.br(0)
	f.op(opEnd, opEnd)

	f.get(m0)
	f.i32(8)
	f.op(opI32Add)
	f.set(m0)
	f.br(0)
	f.op(opEnd, opEnd)
	f.op(opEnd) // function
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
		uleb(&body, uint64(len(f.locals))) // one entry per local: simple, and small enough
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
	if err := os.WriteFile(*out, module([]*fn{gemm()}), 0o644); err != nil {
		log.Fatal(err)
	}
}
