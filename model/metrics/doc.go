// Package metrics scores multi-label genre predictions: per-genre and
// averaged precision, recall and F1, exact-match and per-cell accuracy,
// precision-recall curves, average precision, and the trivial baselines
// that every reported number must be read against.
//
// # Shapes
//
// Letters used throughout: n = number of posters (rows), L = number of
// labels (genres, columns). All matrices are flat and row-major, so cell
// (i, j) of an n×L matrix m is m[i*L+j]:
//
//	probs      []float32  n×L  sigmoid outputs, one per poster and genre
//	truth      []uint8    n×L  ground truth; 0 is negative, anything else positive
//	pred       []uint8    n×L  predictions;  0 is negative, anything else positive
//	thresholds []float32  L    one decision threshold per genre
//
// A poster is predicted positive for genre j when probs[i*L+j] >= thresholds[j]
// (greater than or equal, as in scikit-learn's precision_recall_curve). A NaN
// score is never predicted positive.
//
// Functions panic with a "metrics:" prefix when slice lengths disagree with
// n and L; those are programmer errors, not data errors.
//
// # Conventions for undefined ratios
//
// Evaluate follows scikit-learn's precision_recall_fscore_support with
// zero_division=0: precision is 0 when a genre has no predicted positives,
// recall is 0 when it has no true positives, and F1 is 0 when
// precision+recall is 0. Macro averages are the unweighted mean over all L
// genres, including genres with no support (they count as 0, which is what
// scikit-learn does too). Example-based ("samples") F1 gives a poster with
// neither true nor predicted genres an F1 of 0, again as zero_division=0.
//
// PRCurve and AveragePrecision follow scikit-learn's precision_recall_curve
// and average_precision_score instead, including their convention for a
// genre without positives: recall is reported as 1 at every threshold and
// average precision is 0.
//
// With n = 0 every ratio is 0; no function in this package returns NaN or
// Inf for finite inputs, so results can always be encoded as JSON.
//
// The package uses only the standard library and builds for js/wasm, so the
// browser demo scores predictions with the same code as the command line.
package metrics
