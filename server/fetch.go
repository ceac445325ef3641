package main

import (
	"context"
	"errors"
	"flag"
	"io"

	"posterity/model/fetch"
)

func runFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	err := fetch.Command(ctx, args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitError{0}
	}
	return err
}
