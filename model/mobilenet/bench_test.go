package mobilenet

import (
	"fmt"
	"sync"
	"testing"
)

// BenchmarkFeatures times one backbone forward pass to the 1280-d feature,
// on 1 and 2 goroutines (each with its own Engine), for the optimised and
// the reference kernels. ns/op is per image.
func BenchmarkFeatures(b *testing.B) {
	n := testNet(b)
	input := make([]float32, InputLen)
	for i := range input {
		input[i] = float32(i%451)/225 - 1
	}
	for _, kind := range []string{"optimised", "reference"} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/goroutines=%d", kind, workers), func(b *testing.B) {
				es := make([]*Engine, workers)
				for i := range es {
					if kind == "reference" {
						es[i] = n.NewReferenceEngine()
					} else {
						es[i] = n.NewEngine()
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				var wg sync.WaitGroup
				var mu sync.Mutex
				next := 0
				for _, e := range es {
					wg.Add(1)
					go func() {
						defer wg.Done()
						feat := make([]float32, FeatureDim)
						for {
							mu.Lock()
							i := next
							next++
							mu.Unlock()
							if i >= b.N {
								return
							}
							if _, err := e.Features(input, feat); err != nil {
								b.Error(err)
								return
							}
						}
					}()
				}
				wg.Wait()
			})
		}
	}
}
