// Package features computes backbone features for many posters at once,
// on every core, through an on-disk cache: a second run only reads the
// cache, and an interrupted run resumes without recomputing finished
// images. Cache entries are keyed by the backbone's checksum, the
// preprocessing version and policy, and the sha256 of each image's bytes,
// so changing any of them never serves stale features.
package features

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"posterity/internal/progress"
	"posterity/model/extract"
	"posterity/model/featcache"
	"posterity/model/imageprep"
	"posterity/model/mobilenet"
)

// Options controls Compute.
type Options struct {
	CacheDir string           // feature cache folder; "" disables the cache
	Policy   imageprep.Policy // resize policy
	Flip     bool             // also compute the mirrored poster's feature
	Workers  int              // 0: one per core
	Progress io.Writer        // progress bar and summary lines; nil for none
}

// Set holds the features of n posters, row-major n×1280. Rows of posters
// that failed are zero and have Err set.
type Set struct {
	X       []float32
	Flipped []float32 // with Options.Flip
	Err     []error
	Cached  int // rows read from the cache
	Fresh   int // rows computed now
}

// Failed returns the number of posters that could not be read or decoded.
func (s *Set) Failed() int {
	n := 0
	for _, e := range s.Err {
		if e != nil {
			n++
		}
	}
	return n
}

// Row returns poster i's feature.
func (s *Set) Row(i int) []float32 {
	return s.X[i*mobilenet.FeatureDim : (i+1)*mobilenet.FeatureDim]
}

// Compute returns the features of the posters at paths. On cancellation
// it saves what was computed and returns ctx's error: the next call
// resumes from there.
func Compute(ctx context.Context, net *mobilenet.Net, paths []string, opt Options) (*Set, error) {
	const D = mobilenet.FeatureDim
	n := len(paths)
	s := &Set{X: make([]float32, n*D), Err: make([]error, n)}
	if opt.Flip {
		s.Flipped = make([]float32, n*D)
	}
	logw := opt.Progress
	if logw == nil {
		logw = io.Discard
	}
	var caches []*featcache.Cache
	if opt.CacheDir != "" {
		variants := []string{opt.Policy.String()}
		if opt.Flip {
			variants = append(variants, opt.Policy.String()+"+flip")
		}
		for _, v := range variants {
			c, err := featcache.Open(opt.CacheDir, featcache.Meta{
				Backbone: net.SourceSHA256, PrepVersion: imageprep.Version, Variant: v, Dim: D})
			if err != nil {
				closeAll(caches)
				return nil, fmt.Errorf("features: %w", err)
			}
			if st := c.Stats(); st.Corrupt > 0 || st.TruncatedBytes > 0 {
				fmt.Fprintf(logw, "features: cache %s: dropped %d corrupt record(s) and %d torn bytes; those posters are recomputed\n",
					c.Dir(), st.Corrupt, st.TruncatedBytes)
			}
			caches = append(caches, c)
		}
	}
	defer closeAll(caches)

	// Hash every file, take what the cache has, and queue the rest.
	hashes := make([]featcache.Hash, n)
	var todo []int
	read := extract.FileReader(imageprep.DefaultLimits().MaxBytes)
	for i, p := range paths {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		b, err := read(p)
		if err != nil {
			s.Err[i] = fmt.Errorf("%s: %w", p, err)
			continue
		}
		hashes[i] = featcache.HashBytes(b)
		if len(caches) > 0 && fromCache(caches, hashes[i], s, i) {
			s.Cached++
			continue
		}
		todo = append(todo, i)
	}
	if len(todo) == 0 {
		return s, nil
	}
	fmt.Fprintf(logw, "features: %d of %d posters cached, computing %d\n", s.Cached, n, len(todo))
	bar := progress.New(logw, len(todo), "features")
	var putErr error
	var mu sync.Mutex
	err := extract.Run(ctx, net, paths, todo, extract.Options{Workers: opt.Workers, Policy: opt.Policy, Flip: opt.Flip}, read,
		func(r extract.Result) {
			defer bar.Add(1)
			if r.Err != nil {
				s.Err[r.Index] = r.Err
				return
			}
			copy(s.X[r.Index*D:], r.Feature)
			if opt.Flip {
				copy(s.Flipped[r.Index*D:], r.Flipped)
			}
			s.Fresh++
			mu.Lock()
			defer mu.Unlock()
			if len(caches) > 0 && putErr == nil {
				putErr = caches[0].Put(hashes[r.Index], r.Feature)
				if putErr == nil && opt.Flip {
					putErr = caches[1].Put(hashes[r.Index], r.Flipped)
				}
			}
		})
	bar.Done()
	if err != nil {
		return nil, fmt.Errorf("features: interrupted after %d of %d posters (cached, a rerun resumes): %w", s.Fresh, len(todo), err)
	}
	if putErr != nil {
		return nil, fmt.Errorf("features: writing the cache: %w", putErr)
	}
	return s, nil
}

func fromCache(caches []*featcache.Cache, h featcache.Hash, s *Set, i int) bool {
	const D = mobilenet.FeatureDim
	v, ok := caches[0].Get(h)
	if !ok || len(v) != D {
		return false
	}
	if len(caches) > 1 {
		f, ok := caches[1].Get(h)
		if !ok || len(f) != D {
			return false
		}
		copy(s.Flipped[i*D:], f)
	}
	copy(s.X[i*D:], v)
	return true
}

func closeAll(cs []*featcache.Cache) {
	for _, c := range cs {
		if err := c.Close(); err != nil && !errors.Is(err, featcache.ErrClosed) {
			fmt.Fprintf(os.Stderr, "features: closing cache: %v\n", err)
		}
	}
}
