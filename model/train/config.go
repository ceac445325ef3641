package train

import (
	"fmt"
	"math"
	"runtime"
)

// Loss names accepted by Config.Loss.
// Early-stopping monitors (Config.Monitor).
const (
	MonitorMAP     = "map"
	MonitorMacroF1 = "macro_f1"
	MonitorLoss    = "loss"
)

const (
	// LossBCE is binary cross-entropy on each sigmoid output, averaged over
	// the B×N entries of a batch (Keras binary_crossentropy).
	LossBCE = "bce"
	// LossSoftF1 is the macro soft-F1 loss of Maiza's article: per batch and
	// label j, with p the sigmoid probabilities,
	//	tp = Σ p·y, fp = Σ p·(1−y), fn = Σ (1−p)·y
	//	loss = 1 − mean_j 2tp/(2tp + fn + fp + 1e-16)
	LossSoftF1 = "softf1"
	// LossBCESoftF1 is the sum LossBCE + LossSoftF1, with equal weights.
	LossBCESoftF1 = "bce+softf1"
	// LossCE is softmax cross-entropy for multi-class data (exactly one 1
	// per row of Y); it produces a head.MultiClass head.
	LossCE = "ce"
)

// Config holds the hyper-parameters of Train. A zero Hidden, Epochs,
// BatchSize, LR, Loss or Workers takes its value from DefaultConfig; a zero
// Dropout, WeightDecay, Patience, Seed or ClassWeighting means what it says
// (no dropout, no decay, no early stopping, seed 0, no weighting).
//
// The defaults are starting points chosen for a ~10k-poster set and 1280-d
// features, not values tuned on the real data: LR 1e-4 (ten times the
// article's 1e-5, which converges slowly with a frozen backbone), batch 256,
// up to 50 epochs with patience 5, dropout 0.2.
type Config struct {
	Hidden    int     // H, hidden units
	Epochs    int     // maximum number of passes over the training set
	BatchSize int     // B
	LR        float64 // Adam learning rate
	Loss      string  // LossBCE (default), LossSoftF1, LossBCESoftF1 or LossCE

	// Dropout is the probability of zeroing a hidden activation during
	// training (inverted dropout: the kept ones are scaled by 1/(1−Dropout),
	// so inference needs no change). In [0, 1).
	Dropout float64

	// ClassWeighting multiplies the BCE term of label j on positive examples
	// by w_j = sqrt(neg_j/pos_j), counted on the training set (w_j = 1 when a
	// label has no positives). The square root softens the plain neg/pos
	// ratio, which for a rare genre (1 in 50) would weigh each positive 49×
	// and make training noisy. Only valid with LossBCE and LossBCESoftF1;
	// soft-F1 already balances precision and recall per label.
	ClassWeighting bool

	// WeightDecay is decoupled (AdamW-style) decay of W1 and W2, not of the
	// biases: before each Adam step w ← w − LR·WeightDecay·w.
	WeightDecay float64

	Seed int64

	// Patience enables early stopping: training stops after Patience epochs
	// without a better Monitor score on the validation set, and the best
	// epoch's weights are restored. Zero trains all Epochs and keeps the
	// last weights.
	Patience int

	// Monitor is the early-stopping score: MonitorMAP (default: validation
	// macro average precision, threshold-free, so it rewards ranking every
	// genre well, rare ones included, before any threshold is chosen),
	// MonitorMacroF1 (macro-F1 at 0.5, argmax for LossCE — for rare genres
	// it stays near 0 for many epochs, which stops training too early) or
	// MonitorLoss (validation loss).
	Monitor string

	// Workers bounds the goroutines of the pure-Go kernel and of the
	// element-wise work (Adam); 0 means GOMAXPROCS. Gonum's Sgemm always uses
	// GOMAXPROCS. The result does not depend on Workers.
	Workers int

	// gemm overrides the matrix kernel (benchmarks and tests); nil means
	// gemmNTGonum.
	gemm gemmFunc
}

// DefaultConfig returns the defaults described on Config.
func DefaultConfig() Config {
	return Config{
		Hidden: 1024, Epochs: 50, BatchSize: 256, LR: 1e-4, Loss: LossBCE,
		Dropout: 0.2, Patience: 5, Seed: 1,
	}
}

// withDefaults fills zero fields and checks the result.
func (c Config) withDefaults() (Config, error) {
	d := DefaultConfig()
	if c.Hidden == 0 {
		c.Hidden = d.Hidden
	}
	if c.Epochs == 0 {
		c.Epochs = d.Epochs
	}
	if c.BatchSize == 0 {
		c.BatchSize = d.BatchSize
	}
	if c.LR == 0 {
		c.LR = d.LR
	}
	if c.Loss == "" {
		c.Loss = d.Loss
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.gemm == nil {
		c.gemm = gemmNTGonum
	}
	switch {
	case c.Hidden < 0 || c.Hidden > 1<<16:
		return c, fmt.Errorf("train: Hidden = %d, want 1..65536", c.Hidden)
	case c.Epochs < 0:
		return c, fmt.Errorf("train: Epochs = %d, want > 0", c.Epochs)
	case c.BatchSize < 0:
		return c, fmt.Errorf("train: BatchSize = %d, want > 0", c.BatchSize)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return c, fmt.Errorf("train: LR = %v, want > 0", c.LR)
	case !(c.Dropout >= 0 && c.Dropout < 1):
		return c, fmt.Errorf("train: Dropout = %v, want [0, 1)", c.Dropout)
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 0):
		return c, fmt.Errorf("train: WeightDecay = %v, want >= 0", c.WeightDecay)
	case c.Monitor != "" && c.Monitor != MonitorMAP && c.Monitor != MonitorMacroF1 && c.Monitor != MonitorLoss:
		return c, fmt.Errorf("train: Monitor = %q, want %q, %q or %q", c.Monitor, MonitorMAP, MonitorMacroF1, MonitorLoss)
	case c.Patience < 0:
		return c, fmt.Errorf("train: Patience = %d, want >= 0", c.Patience)
	}
	switch c.Loss {
	case LossBCE, LossBCESoftF1:
	case LossSoftF1, LossCE:
		if c.ClassWeighting {
			return c, fmt.Errorf("train: ClassWeighting applies to BCE only, not to loss %q", c.Loss)
		}
	default:
		return c, fmt.Errorf("train: unknown loss %q (want %q, %q, %q or %q)", c.Loss, LossBCE, LossSoftF1, LossBCESoftF1, LossCE)
	}
	return c, nil
}
