package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"posterity/model/dataset"
	"posterity/model/features"
	"posterity/model/head"
	"posterity/model/mobilenet"
)

// Data is a labelled poster set with its features, ready to split.
type Data struct {
	Posters []dataset.Poster // posters whose image decoded
	Labels  []string
	Y       []uint8   // n×L
	X       []float32 // n×1280, averaged with the mirror image when Flip
	// Mirrored holds the mirror images' features (n×1280) with
	// LoadOptions.FlipAugment: extra training rows, never used to score.
	Mirrored []float32
	Mode     head.Mode
	Dropped  int     // posters left with no selected genre
	Failed   []error // posters whose image could not be used
}

// N returns the number of posters.
func (d *Data) N() int { return len(d.Posters) }

// LoadOptions says which posters and labels to use and how to featurize.
type LoadOptions struct {
	Mode   head.Mode
	Genres []string // nil: dataset.DefaultGenres() when MinCount is 0
	// FlipAugment adds each training poster's mirror image as a second
	// training example; inference stays a single pass. (Features.Flip
	// instead averages both views, for training and inference alike.)
	FlipAugment bool
	MinCount    int // with no Genres: every genre with at least this many posters
	Features    features.Options
}

// Load reads a labelled folder (labels.csv + images/, or for MultiClass a
// folder per class), selects the genres, and computes every poster's
// features through the cache.
func Load(ctx context.Context, net *mobilenet.Net, dir string, opt LoadOptions, log io.Writer) (*Data, error) {
	d := &Data{Mode: opt.Mode}
	var posters []dataset.Poster
	var err error
	_, statErr := os.Stat(filepath.Join(dir, dataset.LabelsFile))
	switch {
	case opt.Mode == head.MultiClass && errors.Is(statErr, os.ErrNotExist):
		posters, d.Labels, err = dataset.ReadClassFolders(dir)
		if err != nil {
			return nil, err
		}
	default:
		posters, err = dataset.ReadLabels(dir)
		if err != nil {
			return nil, err
		}
		genres := opt.Genres
		if genres == nil && opt.MinCount == 0 {
			genres = dataset.DefaultGenres()
		}
		posters, d.Labels, d.Dropped = dataset.SelectGenres(posters, genres, opt.MinCount)
	}
	if opt.Mode == head.MultiClass {
		// A single-label model needs exactly one label per poster.
		kept := posters[:0]
		for _, p := range posters {
			if len(p.Genres) == 1 {
				kept = append(kept, p)
			} else {
				d.Dropped++
			}
		}
		posters = kept
	}
	if len(posters) == 0 {
		return nil, fmt.Errorf("pipeline: no usable posters in %s", dir)
	}
	if d.Dropped > 0 {
		fmt.Fprintf(log, "data: %d posters have none of the selected labels (or, multi-class, not exactly one) and are skipped\n", d.Dropped)
	}
	fmt.Fprintf(log, "data: %d posters, %d labels: %v\n", len(posters), len(d.Labels), d.Labels)
	paths := make([]string, len(posters))
	for i, p := range posters {
		paths[i] = p.Path
	}
	fopt := opt.Features
	fopt.Flip = fopt.Flip || opt.FlipAugment
	fs, err := features.Compute(ctx, net, paths, fopt)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "features: %d from the cache, %d computed, %d failed\n", fs.Cached, fs.Fresh, fs.Failed())
	const D = mobilenet.FeatureDim
	for i, p := range posters {
		if fs.Err[i] != nil {
			d.Failed = append(d.Failed, fs.Err[i])
			continue
		}
		row := fs.Row(i)
		if opt.FlipAugment {
			d.Mirrored = append(d.Mirrored, fs.Flipped[i*D:(i+1)*D]...)
		}
		if opt.Features.Flip {
			f := fs.Flipped[i*D : (i+1)*D]
			avg := make([]float32, D)
			for j := range avg {
				avg[j] = float32(float32(row[j]+f[j]) * 0.5)
			}
			row = avg
		}
		d.X = append(d.X, row...)
		d.Posters = append(d.Posters, p)
	}
	for i, e := range d.Failed {
		if i == 10 {
			fmt.Fprintf(log, "data: … and %d more\n", len(d.Failed)-10)
			break
		}
		fmt.Fprintf(log, "data: skipped: %v\n", e)
	}
	d.Y = dataset.Matrix(d.Posters, d.Labels)
	return d, nil
}
