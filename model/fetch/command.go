package fetch

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"posterity/model/dataset"
)

// Command runs `posterity fetch-posters` with args (the flags after the
// subcommand name), printing progress and the report to stderr:
//
//	posterity fetch-posters --csv MovieGenre.csv --out DIR [--concurrency 8]
//	    [--timeout 20s] [--retries 3] [--max-bytes 10485760] [--limit 0]
//
// Failed posters do not make it fail; they are listed in DIR/failures.csv.
func Command(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("fetch-posters", flag.ContinueOnError)
	fs.SetOutput(stderr)
	csvPath := fs.String("csv", "", "Kaggle `MovieGenre.csv` listing the posters (Latin-1)")
	out := fs.String("out", "", "output `dir`: gets images/<imdbId>.jpg, labels.csv and failures.csv")
	var opt Options
	fs.IntVar(&opt.Concurrency, "concurrency", DefaultConcurrency, "parallel downloads")
	fs.DurationVar(&opt.Timeout, "timeout", DefaultTimeout, "time limit per request, body included")
	fs.IntVar(&opt.Retries, "retries", DefaultRetries, "retries after a transient failure (5xx, 429, network, timeout); 0 for none")
	fs.Int64Var(&opt.MaxBytes, "max-bytes", DefaultMaxBytes, "largest accepted image in bytes")
	fs.IntVar(&opt.Limit, "limit", 0, "download only the first `n` posters (0: all)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: posterity fetch-posters --csv MovieGenre.csv --out DIR [flags]\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *csvPath == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("fetch-posters: --csv and --out are required, and nothing else")
	}
	if opt.Retries == 0 {
		opt.Retries = -1 // the flag's 0 means none; Options' 0 means the default
	}
	f, err := os.Open(*csvPath)
	if err != nil {
		return fmt.Errorf("fetch-posters: %w", err)
	}
	rows, err := dataset.ReadMovieGenreCSV(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("fetch-posters: %s: %w", *csvPath, err)
	}
	opt.Progress = stderr
	_, err = Fetch(ctx, rows, *out, opt)
	return err
}
