package main

import "testing"

func TestKeptSection(t *testing.T) {
	sec := keptBegin + "; written by make loadtest -->\n## Server under load\n\nnumbers\n" + keptEnd
	for _, c := range []struct{ name, old, want string }{
		{"kept", "# Benchmarks\n\nold report\n\n" + sec + "\n", "\n" + sec + "\n"},
		{"none", "# Benchmarks\n\nold report\n", ""},
		{"unterminated", "# Benchmarks\n\n" + keptBegin + " -->\nhalf", ""},
	} {
		if got := keptSection(c.old); got != c.want {
			t.Errorf("%s: keptSection = %q, want %q", c.name, got, c.want)
		}
	}
}
