package benchmd

import "testing"

func TestLoadSection(t *testing.T) {
	sec := LoadBegin + "\n## Server under load\n\nnumbers\n" + LoadEnd
	newSec := LoadBegin + "\n## Server under load\n\nnew numbers\n" + LoadEnd + "\n"
	for _, c := range []struct {
		name, doc, section, replaced string
	}{
		{"at the end", "# Benchmarks\n\nreport\n\n" + sec + "\n", sec, "# Benchmarks\n\nreport\n\n" + newSec},
		{"in the middle", "# B\n\n" + sec + "\n\n## After\n", sec, "# B\n\n" + newSec + "\n## After\n"},
		{"none", "# Benchmarks\n\nreport\n", "", "# Benchmarks\n\nreport\n\n" + newSec},
		{"unterminated", "# B\n\n" + LoadBegin + "\nhalf", "", "# B\n\n" + LoadBegin + "\nhalf\n\n" + newSec},
		{"empty file", "", "", newSec},
	} {
		if got := LoadSection(c.doc); got != c.section {
			t.Errorf("%s: LoadSection = %q, want %q", c.name, got, c.section)
		}
		if got := ReplaceLoadSection(c.doc, newSec); got != c.replaced {
			t.Errorf("%s: ReplaceLoadSection =\n%q\nwant\n%q", c.name, got, c.replaced)
		}
	}
}
