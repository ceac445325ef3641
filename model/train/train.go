package train

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"posterity/model/metrics"
	"time"

	"posterity/model/head"
)

// Epoch records one pass over the training set.
type Epoch struct {
	TrainLoss  float64 // mean training loss over the epoch's batches (with dropout)
	ValLoss    float64 // validation loss, no dropout
	ValMicroF1 float64 // at threshold 0.5 (argmax for LossCE)
	ValMacroF1 float64 // idem
	ValMAP     float64 // macro average precision, threshold-free
	Elapsed    time.Duration
}

// History holds the learning curves of a Train call.
type History struct {
	Epochs []Epoch
	Best   int // index in Epochs of the weights returned
}

// PCG stream numbers, one per use of randomness, so that changing e.g. the
// dropout rate does not change the initial weights.
const (
	streamInit    = 1
	streamShuffle = 2
	streamDropout = 3
)

// Train fits a head on train, picks thresholds and reports metrics on val, and
// returns it with its learning curves. labels names the N outputs. One line
// per epoch is written to log (nil: no log).
//
// The returned head has Mode head.MultiClass for LossCE and head.MultiLabel
// otherwise. Its Metrics are computed on val:
//
//	micro_f1, macro_f1                 at the tuned thresholds (argmax for LossCE)
//	micro_f1_at_0.5, macro_f1_at_0.5   at 0.5 (multi-label only)
//	val_loss, best_epoch (1-based), epochs (run), n_train, n_val
//
// The tuned-threshold values are optimistic, since the thresholds were chosen
// on the same set; report test-set metrics for an honest estimate. The
// caller fills BackboneSHA256 and Preprocess.
func Train(cfg Config, train, val Dataset, labels []string, log io.Writer) (*head.Head, History, error) {
	var hist History
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, hist, err
	}
	if log == nil {
		log = io.Discard
	}
	multiClass := cfg.Loss == LossCE
	if err := train.Validate(multiClass); err != nil {
		return nil, hist, fmt.Errorf("train: training set: %w", err)
	}
	if err := val.Validate(multiClass); err != nil {
		return nil, hist, fmt.Errorf("train: validation set: %w", err)
	}
	if train.D != val.D || train.N != val.N {
		return nil, hist, fmt.Errorf("train: training set is %d×%d (D×N), validation set %d×%d", train.D, train.N, val.D, val.N)
	}
	if train.D > 1<<16 {
		return nil, hist, fmt.Errorf("train: D = %d features, limit %d", train.D, 1<<16)
	}
	if err := checkLabels(labels, train.N); err != nil {
		return nil, hist, err
	}
	n, nVal := train.Len(), val.Len()
	if n == 0 || nVal == 0 {
		return nil, hist, fmt.Errorf("train: %d training and %d validation rows, need at least 1 each", n, nVal)
	}
	D, H, N := train.D, cfg.Hidden, train.N
	B := min(cfg.BatchSize, max(n, nVal))
	seed := uint64(cfg.Seed)

	p := newParams(D, H, N)
	p.init(rand.New(rand.NewPCG(seed, streamInit)))
	shuffle := rand.New(rand.NewPCG(seed, streamShuffle))
	drop := rand.New(rand.NewPCG(seed, streamDropout))
	opt := newAdam(p, cfg.LR, cfg.WeightDecay)
	ws := newWorkspace(B, D, H, N)
	var posW []float32
	if cfg.ClassWeighting {
		posW = positiveWeights(train)
	}
	best := newParams(D, H, N)
	best.copyFrom(p)
	bestScore, sinceBest := math.Inf(-1), 0
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	valProbs := make([]float32, nVal*N)
	half := make([]float32, N)
	for j := range half {
		half[j] = 0.5
	}
	useMask := cfg.Dropout > 0

	for epoch := range cfg.Epochs {
		start := time.Now()
		shuffle.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		var sum float64
		for i := 0; i < n; i += B {
			b := min(B, n-i)
			for r, idx := range perm[i : i+b] {
				copy(ws.x[r*D:(r+1)*D], train.X[idx*D:(idx+1)*D])
				copy(ws.y[r*N:(r+1)*N], train.Y[idx*N:(idx+1)*N])
			}
			if useMask {
				fillMask(drop, ws.mask[:b*H], cfg.Dropout)
			}
			forward(p, ws, b, useMask, cfg.gemm, cfg.Workers)
			loss := lossGrad(cfg.Loss, ws.z2, ws.y, b, N, posW, ws.dz2)
			if math.IsNaN(loss) || math.IsInf(loss, 0) {
				return nil, hist, fmt.Errorf("train: loss is %v at epoch %d, batch %d: training diverged (lower LR)", loss, epoch+1, i/B+1)
			}
			sum += loss * float64(b)
			backward(p, ws, b, useMask, cfg.gemm, cfg.Workers)
			opt.step(p, ws.g, cfg.Workers)
		}
		e := Epoch{TrainLoss: sum / float64(n)}
		e.ValLoss = predict(p, ws, val, cfg, posW, valProbs)
		e.ValMicroF1, e.ValMacroF1 = confusion(valProbs, val.Y, nVal, N, half, multiClass).f1()
		e.ValMAP = metrics.MeanAveragePrecision(valProbs, val.Y, nVal, N)
		e.Elapsed = time.Since(start)
		hist.Epochs = append(hist.Epochs, e)
		mark := ""
		if score := monitorScore(cfg.Monitor, e); score > bestScore {
			bestScore, sinceBest, hist.Best, mark = score, 0, epoch, " *"
			best.copyFrom(p)
		} else {
			sinceBest++
		}
		fmt.Fprintf(log, "epoch %3d/%d  loss %.4f  val_loss %.4f  val_micro_f1 %.4f  val_macro_f1 %.4f  val_map %.4f  %.1fs%s\n",
			epoch+1, cfg.Epochs, e.TrainLoss, e.ValLoss, e.ValMicroF1, e.ValMacroF1, e.ValMAP, e.Elapsed.Seconds(), mark)
		if cfg.Patience > 0 && sinceBest >= cfg.Patience {
			fmt.Fprintf(log, "early stop: no better %s for %d epochs; restoring epoch %d\n", monitorName(cfg.Monitor), cfg.Patience, hist.Best+1)
			break
		}
	}
	if cfg.Patience > 0 {
		p.copyFrom(best)
	} else {
		hist.Best = len(hist.Epochs) - 1
	}
	valLoss := predict(p, ws, val, cfg, posW, valProbs)
	return buildHead(cfg, p, labels, valProbs, val, valLoss, n, hist), hist, nil
}

// monitorScore is the early-stopping score of an epoch, higher is better.
func monitorScore(monitor string, e Epoch) float64 {
	switch monitor {
	case MonitorMacroF1:
		return e.ValMacroF1
	case MonitorLoss:
		return -e.ValLoss
	}
	return e.ValMAP
}

func monitorName(monitor string) string {
	if monitor == "" {
		return MonitorMAP
	}
	return monitor
}

// predict runs the network on every row of d in batches of ws.B, writes the
// probabilities (sigmoid, or softmax for LossCE) into probs (n×N) and returns
// the mean loss.
func predict(p *params, ws *workspace, d Dataset, cfg Config, posW []float32, probs []float32) float64 {
	D, N := p.D, p.N
	n := d.Len()
	var sum float64
	for i := 0; i < n; i += ws.B {
		b := min(ws.B, n-i)
		copy(ws.x, d.X[i*D:(i+b)*D])
		forward(p, ws, b, false, cfg.gemm, cfg.Workers)
		sum += lossGrad(cfg.Loss, ws.z2, d.Y[i*N:(i+b)*N], b, N, posW, nil) * float64(b)
		out := probs[i*N : (i+b)*N]
		copy(out, ws.z2[:b*N])
		for r := range b {
			row := out[r*N : (r+1)*N]
			if cfg.Loss == LossCE {
				head.Softmax(row)
				continue
			}
			for j, z := range row {
				row[j] = head.Sigmoid(z)
			}
		}
	}
	return sum / float64(n)
}

func buildHead(cfg Config, p *params, labels []string, probs []float32, val Dataset, valLoss float64, nTrain int, hist History) *head.Head {
	D, H, N := p.D, p.H, p.N
	nVal := val.Len()
	mode := head.MultiLabel
	if cfg.Loss == LossCE {
		mode = head.MultiClass
	}
	h := head.New(D, H, N, mode)
	copy(h.W1, p.w1)
	copy(h.B1, p.b1)
	copy(h.W2, p.w2)
	copy(h.B2, p.b2)
	copy(h.Labels, labels)
	if mode == head.MultiLabel {
		c := confusion(probs, val.Y, nVal, N, h.Thresholds, false) // all 0.5
		h.Metrics["micro_f1_at_0.5"], h.Metrics["macro_f1_at_0.5"] = c.f1()
		h.Thresholds = TuneThresholds(probs, val.Y, nVal, N)
	}
	c := confusion(probs, val.Y, nVal, N, h.Thresholds, mode == head.MultiClass)
	h.Metrics["micro_f1"], h.Metrics["macro_f1"] = c.f1()
	h.Metrics["val_loss"] = valLoss
	h.Metrics["n_train"] = float64(nTrain)
	h.Metrics["n_val"] = float64(nVal)
	h.Metrics["epochs"] = float64(len(hist.Epochs))
	h.Metrics["best_epoch"] = float64(hist.Best + 1)
	h.PerLabel = c.perLabel(h.Labels, h.Thresholds)
	h.Curves = prCurves(probs, val.Y, nVal, N, h.Labels)
	h.Created = time.Now().UTC().Format(time.RFC3339)
	h.Notes = fmt.Sprintf("loss=%s hidden=%d lr=%g batch=%d dropout=%g weight_decay=%g class_weighting=%v seed=%d patience=%d epochs=%d/%d best=%d. "+
		"Validation metrics at thresholds tuned on the same validation set are optimistic.",
		cfg.Loss, cfg.Hidden, cfg.LR, cfg.BatchSize, cfg.Dropout, cfg.WeightDecay, cfg.ClassWeighting, cfg.Seed,
		cfg.Patience, len(hist.Epochs), cfg.Epochs, hist.Best+1)
	return h
}

func checkLabels(labels []string, n int) error {
	if len(labels) != n {
		return fmt.Errorf("train: %d label names for %d labels", len(labels), n)
	}
	seen := make(map[string]bool, n)
	for _, l := range labels {
		if l == "" {
			return errors.New("train: empty label name")
		}
		if seen[l] {
			return fmt.Errorf("train: duplicate label name %q", l)
		}
		seen[l] = true
	}
	return nil
}
