// Package progress draws a small progress bar for long command-line jobs
// such as downloading posters or extracting backbone features.
//
// A Bar shows items done out of the total, the percentage, the rate in
// items per second and the estimated time left:
//
//	posters  1234/12514   9.9%   41.2/s  ETA 4m33s
//
// When the writer is a terminal the line is redrawn in place with a
// carriage return, at most about five times a second. When it is not (a
// file, a pipe, a CI log) the Bar prints a plain line every few seconds or
// at each 10% step, so logs stay short and readable.
//
// Add may be called from many goroutines. Done prints the final line and
// stops the background ticker, so a finished Bar holds no goroutine.
package progress
