// Package extract runs posters through decoding, the one preprocessing
// function and the backbone on every core: the shared front half of
// classify, eval and train.
package extract

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"

	"posterity/model/imageprep"
	"posterity/model/mobilenet"
)

// Options controls a Run.
type Options struct {
	Workers int              // goroutines, each with its own Engine; 0 means GOMAXPROCS
	Policy  imageprep.Policy // resize policy
	Limits  imageprep.Limits // decode limits; zero means imageprep.DefaultLimits
	Flip    bool             // also compute the feature of the mirrored poster
	Logits  bool             // also compute the 1000 ImageNet logits (the Net needs its ImageNet classifier)
}

// Result is one poster's outcome. Slices are fresh per result.
type Result struct {
	Index   int
	Path    string
	Feature []float32 // 1280-d backbone feature
	Flipped []float32 // feature of the mirrored poster, with Options.Flip
	Logits  []float32 // ImageNet logits, with Options.Logits
	Err     error     // names the file and the reason
}

// Source yields a poster's bytes; the default reads a file.
type Source func(path string) ([]byte, error)

// FileReader returns a Source that reads files of at most maxBytes,
// refusing larger ones before reading them.
func FileReader(maxBytes int64) Source {
	return func(path string) ([]byte, error) {
		st, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		if st.IsDir() {
			return nil, fmt.Errorf("is a directory, not an image")
		}
		if st.Size() > maxBytes {
			return nil, fmt.Errorf("%w: file is %d bytes, over the %d-byte limit", imageprep.ErrTooLarge, st.Size(), maxBytes)
		}
		return os.ReadFile(path)
	}
}

// Run processes paths[i] for every i in todo (all of them when todo is
// nil) and calls emit from a single goroutine, in completion order. It
// stops early when ctx is cancelled and returns ctx's error.
func Run(ctx context.Context, net *mobilenet.Net, paths []string, todo []int, opt Options, read Source, emit func(Result)) error {
	if todo == nil {
		todo = make([]int, len(paths))
		for i := range todo {
			todo[i] = i
		}
	}
	lim := opt.Limits
	if lim == (imageprep.Limits{}) {
		lim = imageprep.DefaultLimits()
	}
	if read == nil {
		read = FileReader(lim.MaxBytes)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, len(todo)))
	jobs := make(chan int)
	results := make(chan Result, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := newWorker(net, opt, lim, read)
			for i := range jobs {
				results <- wk.do(i, paths[i])
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, i := range todo {
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(results)
	}()
	for r := range results {
		emit(r)
	}
	return ctx.Err()
}

// worker owns one Engine and the buffers of one goroutine.
type worker struct {
	eng   *mobilenet.Engine
	opt   Options
	lim   imageprep.Limits
	read  Source
	rgb   []uint8
	input []float32
}

func newWorker(net *mobilenet.Net, opt Options, lim imageprep.Limits, read Source) *worker {
	return &worker{
		eng: net.NewEngine(), opt: opt, lim: lim, read: read,
		rgb:   make([]uint8, imageprep.Size*imageprep.Size*3),
		input: make([]float32, mobilenet.InputLen),
	}
}

func (w *worker) do(i int, path string) Result {
	r := Result{Index: i, Path: path}
	b, err := w.read(path)
	if err != nil {
		r.Err = fmt.Errorf("%s: %w", path, err)
		return r
	}
	img, _, err := imageprep.Decode(bytes.NewReader(b), w.lim)
	if err != nil {
		r.Err = fmt.Errorf("%s: %w", path, err)
		return r
	}
	if err := imageprep.Resize(img, w.opt.Policy, w.rgb); err != nil {
		r.Err = fmt.Errorf("%s: %w", path, err)
		return r
	}
	imageprep.Normalize(w.rgb, w.input)
	r.Feature = make([]float32, mobilenet.FeatureDim)
	if _, err := w.eng.Features(w.input, r.Feature); err != nil {
		r.Err = fmt.Errorf("%s: %w", path, err)
		return r
	}
	if w.opt.Logits {
		r.Logits = make([]float32, mobilenet.NumClasses)
		if err := w.eng.Logits(w.input, r.Logits); err != nil { // no ImageNet classifier attached
			r.Err = fmt.Errorf("%s: %w", path, err)
			return r
		}
	}
	if w.opt.Flip {
		imageprep.FlipHorizontal(w.rgb)
		imageprep.Normalize(w.rgb, w.input)
		r.Flipped = make([]float32, mobilenet.FeatureDim)
		w.eng.Features(w.input, r.Flipped)
	}
	return r
}
