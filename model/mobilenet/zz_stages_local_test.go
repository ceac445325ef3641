package mobilenet

import (
	"fmt"
	"sort"
	"testing"
	"time"
)

// TestZZStages (local, not committed) prints per-op time.
func TestZZStages(t *testing.T) {
	n := testNet(t)
	e := n.NewEngine()
	input := make([]float32, InputLen)
	for i := range input {
		input[i] = float32(i%451)/225 - 1
	}
	feat := make([]float32, FeatureDim)
	e.Features(input, feat)
	nops := n.featureOps()
	const R = 10
	tm := make([]time.Duration, nops)
	for r := 0; r < R; r++ {
		for i := 0; i < nops; i++ {
			t0 := time.Now()
			e.RunOp(i)
			d := time.Since(t0)
			if r == 0 || d < tm[i] {
				tm[i] = d
			}
		}
	}
	byKind := map[string]time.Duration{}
	var tot time.Duration
	for i := 0; i < nops; i++ {
		op := n.Ops[i]
		in, out := n.Tensors[op.In], n.Tensors[op.Out]
		k := "add"
		if op.Conv != nil {
			k = op.Conv.Kind.String()
			if op.Conv.Stride == 2 {
				k += "_s2"
			}
		}
		byKind[k] += tm[i]
		tot += tm[i]
		fmt.Printf("%3d %-12s %3dx%3dx%4d -> %3dx%3dx%4d %8.3f ms\n", i, k, in.H, in.W, in.C, out.H, out.W, out.C, float64(tm[i].Microseconds())/1000)
	}
	ks := []string{}
	for k := range byKind {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	for _, k := range ks {
		fmt.Printf("%-14s %8.3f ms\n", k, float64(byKind[k].Microseconds())/1000)
	}
	fmt.Printf("total %8.3f ms (min of %d)\n", float64(tot.Microseconds())/1000, R)
}
