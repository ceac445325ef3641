package dataset

import (
	"os"
	"path/filepath"
	"testing"

	"posterity/internal/testshared"
)

// sharedPosters returns the shared data set's folder (../shared/data/posters,
// holding labels.csv). The shared data is part of the project's test setup,
// so a missing folder fails the test rather than skipping it.
func sharedPosters(t testing.TB) string {
	return filepath.Join(testshared.Dir(t, "data/posters/labels.csv"), "data", "posters")
}

func TestRealLabels(t *testing.T) {
	dir := sharedPosters(t)
	posters, err := ReadLabels(dir)
	if err != nil {
		t.Fatal(err)
	}
	// 12,514 rows: SOURCES.md, "Label counts in this folder".
	if len(posters) != 12514 {
		t.Fatalf("read %d posters, want 12514", len(posters))
	}
	counts := GenreCounts(posters)
	// Spot checks against SOURCES.md's label-count table.
	for g, n := range map[string]int{"Drama": 7623, "Comedy": 4829, "Game-Show": 1, "Western": 207} {
		if counts[g] != n {
			t.Errorf("%s: %d posters, want %d", g, counts[g], n)
		}
	}
	noYear := 0
	for _, p := range posters {
		if p.Year == 0 {
			noYear++
		}
	}
	if noYear != 87 { // SOURCES.md: year empty for 87 rows
		t.Errorf("%d posters without a year, want 87", noYear)
	}
	if _, err := os.Stat(posters[0].Path); err != nil {
		t.Errorf("first poster's image: %v", err)
	}

	kept, labels, dropped := SelectGenres(posters, DefaultGenres(), 0)
	t.Logf("default 18 genres: kept %d posters, dropped %d with none of them", len(kept), dropped)
	// 16 posters carry only genres outside the 18 (Short, Western, ...);
	// counted independently with Python's csv module.
	if len(kept) != 12498 || dropped != 16 || len(labels) != 18 {
		t.Errorf("kept %d, dropped %d, %d labels; want 12498, 16, 18", len(kept), dropped, len(labels))
	}
	_, labels1000, _ := SelectGenres(posters, nil, 1000)
	t.Logf("genres with ≥1000 posters here: %v", labels1000)
}
