package main

import (
	"context"
	"io"
	"strings"

	"posterity/model/backbone"
)

func runModel(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("model", "[flags]", stderr)
	out := fs.String("out", defaultBackbone, "backbone weight file to write (up to the 1280-d feature)")
	imagenetOut := fs.String("imagenet-out", "", "ImageNet classifier weight file to write (default: imagenet.pstb beside --out)")
	shared := fs.String("shared", "../shared/models", "comma-separated folders to look for "+backbone.FileName+" in first")
	urls := fs.String("url", strings.Join(backbone.URLs(), ","), "comma-separated URLs to download it from otherwise")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *imagenetOut == "" {
		*imagenetOut = backbone.ImageNetPath(*out)
	}
	return backbone.Build(ctx, splitList(*shared), splitList(*urls), *out, *imagenetOut, stdout)
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
