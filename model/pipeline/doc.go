// Package pipeline is "make train" and "posterity eval" as functions:
// labelled posters → cached backbone features → a deterministic
// train/validation/test split → the trained head with per-genre thresholds
// → honest metrics next to trivial baselines → the exported head file and
// an HTML report.
//
// Splits: the test split (default 15 %) is cut first and touched by
// nothing but the final measurement; the validation split (default 15 % of
// the whole) drives early stopping and threshold tuning. Both are
// multi-label stratified and seeded, so eval can recompute them from the
// head's recorded seed and fractions.
package pipeline
