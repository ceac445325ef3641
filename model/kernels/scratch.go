package kernels

// Scratch holds one goroutine's temporary buffers for the optimised
// kernels, so a forward pass allocates nothing in steady state. The zero
// value is ready to use; a Scratch must not be shared between goroutines.
type Scratch struct {
	pairs []uint32
	i16   []int16
	i32   []int32
	acc   []int32
	u8    []uint8
}

func (s *Scratch) byteBuf(n int) []uint8 {
	if cap(s.u8) < n {
		s.u8 = make([]uint8, n)
	}
	return s.u8[:n]
}

func (s *Scratch) int32Buf(n int) []int32 {
	if cap(s.i32) < n {
		s.i32 = make([]int32, n)
	}
	return s.i32[:n]
}

func (s *Scratch) int16Buf(n int) []int16 {
	if cap(s.i16) < n {
		s.i16 = make([]int16, n)
	}
	return s.i16[:n]
}

func (s *Scratch) pairBuf(n int) []uint32 {
	if cap(s.pairs) < n {
		s.pairs = make([]uint32, n)
	}
	return s.pairs[:n]
}

func (s *Scratch) accBuf(n int) []int32 {
	if cap(s.acc) < n {
		s.acc = make([]int32, n)
	}
	return s.acc[:n]
}

// Run computes dst (OH×OW×M) from src (H×W×K) with the fastest kernel this
// build has, bit-identical to RunRef. Call Prepare once after the weights
// are set.
func (c *Conv) Run(dst, src []uint8, H, W int, s *Scratch) {
	if c.runSIMD(dst, src, H, W, s) {
		return
	}
	switch c.Kind {
	case Depthwise:
		depthwiseFast(dst, src, H, W, c)
	case Full3x3:
		full3x3Fast(dst, src, H, W, c)
	default:
		c.RunRef(dst, src, H, W)
	}
}
