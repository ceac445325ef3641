// Package imagenet provides the 1000 ImageNet class labels of the ONNX
// Model Zoo's MobileNetV2, in output-index order.
//
// synset.txt is onnx/models validated/vision/classification/synset.txt
// (Apache-2.0, ONNX Model Zoo; sha256 acf75ef0…7355), copied unchanged.
package imagenet

import (
	_ "embed"
	"strings"
)

//go:embed synset.txt
var synset string

// Labels returns the 1000 labels, each as "nXXXXXXXX name, other names".
func Labels() []string {
	lines := strings.Split(strings.TrimRight(synset, "\n"), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, "\r")
	}
	return lines
}

// Name returns a label's human-readable part: "Egyptian cat" for
// "n02124075 Egyptian cat".
func Name(label string) string {
	if i := strings.IndexByte(label, ' '); i >= 0 {
		return label[i+1:]
	}
	return label
}
