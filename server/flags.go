package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// errUsage means the flag package already printed the problem.
var errUsage = errors.New("usage")

// Default locations, relative to the repository root where make runs.
const (
	defaultBackbone = "static/web/backbone.pstb"
	defaultHead     = "static/web/head.bin"
)

func newFlags(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: posterity %s %s\n\nFlags:\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitError{0}
		}
		return errUsage
	}
	return nil
}
