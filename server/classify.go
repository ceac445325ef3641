package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"posterity/model/backbone"
	"posterity/model/extract"
	"posterity/model/head"
	"posterity/model/imagenet"
	"posterity/model/imageprep"
	"posterity/model/mobilenet"
)

// imagenetEntry is one of the --imagenet top-5: the model's output index,
// the label's readable name, its WordNet id, and the softmax probability.
type imagenetEntry struct {
	Index  int     `json:"index"`
	Label  string  `json:"label"`
	Synset string  `json:"synset"`
	Prob   float64 `json:"prob"`
}

// genreEntry is one genre of a classification; all genres are listed, in
// descending probability.
type genreEntry struct {
	Genre     string  `json:"genre"`
	Prob      float64 `json:"prob"`
	Threshold float64 `json:"threshold"`
	Predicted bool    `json:"predicted"`
}

type classifyLine struct {
	File     string          `json:"file"`
	ImageNet []imagenetEntry `json:"imagenet,omitempty"`
	Genres   []genreEntry    `json:"genres,omitempty"`
	Error    string          `json:"error,omitempty"`
}

func runClassify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("classify", "[--imagenet] [--json] FILE...", stderr)
	useImageNet := fs.Bool("imagenet", false, "print the backbone's ImageNet top-5 instead of genres")
	asJSON := fs.Bool("json", false, "one JSON object per input per line")
	backbonePath := fs.String("backbone", defaultBackbone, "backbone weight file (make model)")
	imagenetPath := fs.String("imagenet-file", "", "ImageNet classifier weight file, read with --imagenet only (make model; default: imagenet.pstb beside --backbone)")
	headPath := fs.String("head", defaultHead, "genre head file (make train)")
	workers := fs.Int("workers", 0, "parallel workers (0: one per core)")
	if err := parse(fs, args); err != nil {
		return err
	}
	files := fs.Args()
	if len(files) == 0 {
		fs.Usage()
		return errUsage
	}
	var net *mobilenet.Net
	var err error
	if *useImageNet {
		if *imagenetPath == "" {
			*imagenetPath = backbone.ImageNetPath(*backbonePath)
		}
		net, err = mobilenet.LoadFiles(*backbonePath, *imagenetPath)
	} else {
		net, err = mobilenet.LoadFile(*backbonePath)
	}
	if err != nil {
		return err
	}
	var h *head.Head
	policy := imageprep.Squash
	if !*useImageNet {
		if h, err = loadHead(*headPath, net); err != nil {
			return err
		}
		if policy, err = imageprep.ParsePolicy(h.Preprocess); err != nil {
			return fmt.Errorf("%s: %w", *headPath, err)
		}
	}
	// A head trained on flip-averaged features must see them at inference.
	flip := h != nil && h.Metrics["flip_average"] == 1
	labels := imagenet.Labels()
	failed := 0
	ordered := newOrderedPrinter(len(files))
	err = extract.Run(ctx, net, files, nil, extract.Options{Workers: *workers, Policy: policy, Logits: *useImageNet, Flip: flip}, nil,
		func(r extract.Result) {
			line := classifyLine{File: r.Path}
			switch {
			case r.Err != nil:
				line.Error = r.Err.Error()
				failed++
			case *useImageNet:
				line.ImageNet = top5(r.Logits, labels)
			default:
				if flip {
					for i, v := range r.Flipped {
						r.Feature[i] = float32(float32(r.Feature[i]+v) * 0.5) // as pipeline.Load averages
					}
				}
				line.Genres = genres(h, r.Feature)
			}
			ordered.put(r.Index, func() { printLine(stdout, line, *asJSON) })
		})
	if err != nil {
		return err
	}
	if failed > 0 {
		if !*asJSON {
			fmt.Fprintf(stderr, "posterity classify: %d of %d files failed\n", failed, len(files))
		}
		return exitError{1}
	}
	return nil
}

// loadHead reads the head and checks it was trained on this backbone.
func loadHead(path string, net *mobilenet.Net) (*head.Head, error) {
	h, err := head.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if h.In != mobilenet.FeatureDim {
		return nil, fmt.Errorf("%s: head takes %d-d features, the backbone gives %d", path, h.In, mobilenet.FeatureDim)
	}
	if h.BackboneSHA256 != "" && h.BackboneSHA256 != net.SourceSHA256 {
		return nil, fmt.Errorf("%s was trained on backbone %.12s…, this backbone is %.12s… (run \"make train\")", path, h.BackboneSHA256, net.SourceSHA256)
	}
	return h, nil
}

func top5(logits []float32, labels []string) []imagenetEntry {
	probs := append([]float32(nil), logits...)
	head.Softmax(probs)
	idx := make([]int, len(probs))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return logits[idx[a]] > logits[idx[b]] })
	out := make([]imagenetEntry, 0, 5)
	for _, i := range idx[:5] {
		synset, _, _ := strings.Cut(labels[i], " ")
		out = append(out, imagenetEntry{Index: i, Label: imagenet.Name(labels[i]), Synset: synset, Prob: round6(probs[i])})
	}
	return out
}

func genres(h *head.Head, feature []float32) []genreEntry {
	probs := h.Probs(feature, nil, nil)
	out := make([]genreEntry, len(probs))
	for i, p := range probs {
		out[i] = genreEntry{Genre: h.Labels[i], Prob: round6(p), Threshold: round6(h.Thresholds[i]), Predicted: p >= h.Thresholds[i]}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Prob > out[b].Prob })
	return out
}

// round6 keeps JSON short: six decimals are far below any meaningful
// difference in a probability.
func round6(v float32) float64 {
	return math.Round(float64(v)*1e6) / 1e6
}

func printLine(w io.Writer, l classifyLine, asJSON bool) {
	if asJSON {
		b, _ := json.Marshal(l)
		fmt.Fprintf(w, "%s\n", b)
		return
	}
	switch {
	case l.Error != "":
		fmt.Fprintf(w, "error: %s\n", l.Error) // the error names the file
	case l.ImageNet != nil:
		fmt.Fprintf(w, "%s:\n", l.File)
		for _, e := range l.ImageNet {
			fmt.Fprintf(w, "  %5.1f%%  %s\n", 100*e.Prob, e.Label)
		}
	default:
		var yes, next []string
		for _, g := range l.Genres {
			s := fmt.Sprintf("%s %.0f%%", g.Genre, 100*g.Prob)
			if g.Predicted {
				yes = append(yes, s)
			} else if len(next) < 2 {
				next = append(next, s)
			}
		}
		if len(yes) == 0 {
			yes = []string{"no genre above threshold"}
		}
		fmt.Fprintf(w, "%s: %s (next: %s)\n", l.File, strings.Join(yes, ", "), strings.Join(next, ", "))
	}
}

// orderedPrinter runs print callbacks in index order as results arrive
// out of order, so output follows the command line.
type orderedPrinter struct {
	next    int
	pending map[int]func()
}

func newOrderedPrinter(n int) *orderedPrinter {
	return &orderedPrinter{pending: make(map[int]func(), n)}
}

func (o *orderedPrinter) put(i int, f func()) {
	o.pending[i] = f
	for {
		f, ok := o.pending[o.next]
		if !ok {
			return
		}
		delete(o.pending, o.next)
		f()
		o.next++
	}
}
