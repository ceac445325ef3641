package main

import (
	"context"
	"errors"
	"io"
)

// runServe serves the web app; it lands with the web issue (#4).
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("not yet: the web app lands with issue #4")
}
