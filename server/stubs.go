package main

import (
	"context"
	"errors"
	"io"
)

func runTrain(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
func runEval(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
func runFetch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
