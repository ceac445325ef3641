package main

import (
	"context"
	"io"
	"strings"

	"posterity/model/backbone"
)

func runModel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("model", "[flags]", stderr)
	out := fs.String("out", defaultBackbone, "weight file to write")
	shared := fs.String("shared", "../shared/models", "comma-separated folders to look for "+backbone.FileName+" in first")
	urls := fs.String("url", strings.Join(backbone.URLs(), ","), "comma-separated URLs to download it from otherwise")
	if err := parse(fs, args); err != nil {
		return err
	}
	return backbone.Build(ctx, splitList(*shared), splitList(*urls), *out, stdout)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
