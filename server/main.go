// Command posterity is Posterity's native side: it builds the backbone
// weight file, classifies posters, trains and evaluates the genre head,
// downloads poster datasets, and serves the web app.
//
// Usage:
//
//	posterity <command> [flags]
//
// Run "posterity help" for the commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"model", "obtain mobilenetv2-12-int8.onnx (shared copy or public URL), verify it and write the engine's weight file", runModel},
		{"classify", "print the genres (or, with --imagenet, the ImageNet top-5) of poster files", runClassify},
		{"train", "extract features from a labelled poster folder, train the genre head, write it and a report", runTrain},
		{"eval", "evaluate the head on a labelled poster folder", runEval},
		{"fetch-posters", "download the posters listed in Kaggle's MovieGenre.csv into the labelled layout", runFetch},
		{"serve", "serve the web app", runServe},
	}
}

// exitError carries a specific exit status.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		if err == nil {
			return 0
		}
		if e, ok := err.(exitError); ok {
			return e.code
		}
		if err != errUsage {
			fmt.Fprintf(stderr, "posterity %s: %v\n", c.name, err)
		}
		return 1
	}
	fmt.Fprintf(stderr, "posterity: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: posterity <command> [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun \"posterity <command> -h\" for a command's flags.")
}
