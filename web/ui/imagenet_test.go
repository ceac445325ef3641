package ui

import (
	"strings"
	"testing"
)

// TestCardImageNet: a card lists the ImageNet top-5 when the worker sent
// it, and says plainly that the labels could not be loaded when the worker
// could not get the ImageNet classifier, with the genres all the same.
func TestCardImageNet(t *testing.T) {
	m := testModel("multi-label")
	probs := []float64{0.2, 0.35, 0.9, 0.1}
	top := parseCard(t, cardHTML(&Item{ID: 1, Name: "a.jpg", Status: statusDone, Probs: probs,
		ImageNet: []ImageNetTop{{Index: 671, Label: "mountain bike", Synset: "n03792782", Prob: 0.8}}}, m, false, 0))
	if l := top.find("data-testid", "imagenet"); len(l) != 1 || len(top.find("data-synset", "n03792782")) != 1 {
		t.Errorf("no top-5 list on a card with a top-5")
	}
	if len(top.find("data-testid", "imagenet-error")) != 0 {
		t.Errorf("a card with a top-5 says it could not be loaded")
	}
	failed := parseCard(t, cardHTML(&Item{ID: 2, Name: "b.jpg", Status: statusDone, Probs: probs,
		ImageNetErr: "this device is offline"}, m, false, 0))
	e := failed.find("data-testid", "imagenet-error")
	if len(e) != 1 || !strings.Contains(e[0].Text, "ImageNet labels could not be loaded: this device is offline.") {
		t.Errorf("the card does not say the ImageNet labels could not be loaded: %+v", e)
	}
	if failed.Attrs["data-status"] != "done" || failed.Attrs["data-genres"] != "Drama|Comedy" || len(failed.find("data-testid", "imagenet")) != 0 {
		t.Errorf("without the top-5: status %q, genres %q", failed.Attrs["data-status"], failed.Attrs["data-genres"])
	}
}
