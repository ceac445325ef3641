// Package train fits a head.Head (Dense(D→H, ReLU) → Dense(H→N)) on
// precomputed backbone features, tunes its per-label thresholds on a
// validation set and summarises it.
//
// Dimension letters, declared once and used in every shape comment:
//
//	n  samples in a data set
//	B  rows in a mini-batch (Config.BatchSize, the last batch may be smaller)
//	D  feature length (1280)
//	H  hidden units (Config.Hidden, 1024)
//	N  labels
//
// All matrices are row-major float32. The trainer reduces every product to
// one kernel, C = A·Bᵀ ("NT"), with explicit transposes of the small operands.
// Two kernels are kept side by side: gonum's blas32 Sgemm (the default; on
// amd64 its inner dot product is SSE assembly, and it measured about 3× the
// GFLOP/s of the scalar loop per product and 1.8× per epoch) and
// a pure-Go blocked loop held equal to the naive reference loop by the tests.
// BenchmarkGemm and BenchmarkEpoch measure both.
//
// Training is deterministic: the same Config (including Seed) and data give
// bit-identical weights, whatever Config.Workers is. Random numbers come from
// PCG streams derived from Seed (initialisation, shuffling and dropout each
// have their own), every output element of a product is summed by one
// goroutine in a fixed order, and every reduction over the batch (bias
// gradients, loss, metrics) is sequential.
package train
