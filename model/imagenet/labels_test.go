package imagenet

import "testing"

func TestLabels(t *testing.T) {
	l := Labels()
	if len(l) != 1000 {
		t.Fatalf("%d labels, want 1000", len(l))
	}
	// Index 285 is "Egyptian cat" and 921 "book jacket" in the zoo's synset.
	if got := Name(l[285]); got != "Egyptian cat" {
		t.Errorf("label 285 = %q", got)
	}
	if got := l[921]; got != "n07248320 book jacket, dust cover, dust jacket, dust wrapper" {
		t.Errorf("label 921 = %q", got)
	}
}
