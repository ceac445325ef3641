//go:build !linux || wasm

package kernels

import "time"

// threadCPU is not available here; benchmarks then report no CPU time.
func threadCPU() time.Duration { return 0 }
