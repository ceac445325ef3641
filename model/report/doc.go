// Package report renders a training run as one self-contained HTML page
// meant to be looked at, not parsed: headline scores next to trivial
// baselines, learning curves, a per-genre table, per-genre
// precision-recall curves and the experiments that were tried.
//
// The page has inline CSS and inline SVG only: no scripts, fonts or other
// external resources, so it can be mailed, archived or opened offline. It
// reflows down to phone width (wide tables scroll sideways). Colours come
// from the Okabe–Ito colour-blind safe palette, and series also differ by
// dash pattern.
//
// Callers fill a Data, usually with metrics.Report values for the model and
// for metrics.BaselineTopK / metrics.BaselineAll (see StandardResults) and
// with NewCurve for each genre, then call Write or WriteFile. Every text
// field is escaped; genre names may contain any characters.
//
// LineChart is the package's reusable SVG line chart: nice axis ticks,
// several series, legend, reference lines and highlighted points. It never
// emits NaN or Inf coordinates, whatever the data.
//
// The package is for native builds (it writes files); the wasm demo uses
// package metrics directly.
package report
