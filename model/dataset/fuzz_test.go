package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseLabels feeds arbitrary labels.csv contents to the parser: rows
// come back or an error naming file:line does, never a panic; every
// returned poster has a valid id and an image path inside the folder.
func FuzzParseLabels(f *testing.F) {
	f.Add([]byte("imdbId,title,year,genres\n14,Tables Turned,1895,Comedy|Short\n"))
	f.Add([]byte("\ufeffimdbId,genres\n1,\n2,Drama\n"))
	f.Add([]byte("imdbId,genres\n../etc,Drama\n"))
	f.Add([]byte("genres,imdbId\n\"Dra\nma\",3\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		posters, err := parseLabels(bytes.NewReader(b), "labels.csv", "/data")
		if err != nil {
			return
		}
		for _, p := range posters {
			if !ValidID(p.ID) || filepath.Dir(filepath.Dir(p.Path)) != "/data" {
				t.Fatalf("accepted poster %+v", p)
			}
		}
	})
}

// FuzzReadMovieGenreCSV feeds arbitrary bytes to the Kaggle CSV reader.
func FuzzReadMovieGenreCSV(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "MovieGenre-sample.csv")); err == nil {
		f.Add(b)
	}
	f.Add([]byte("imdbId,Imdb Link,Title,IMDB Score,Genre,Poster\n114709,x,Toy Story (1995),8.3,Animation|Adventure,http://a/b.jpg\n"))
	f.Add([]byte("imdbId,Imdb Link,Title,IMDB Score,Genre,Poster\n1,,\xe9t\xe9 (19\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := ReadMovieGenreCSV(bytes.NewReader(b))
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range rows {
			if seen[r.ID] {
				t.Fatalf("duplicate id %q returned", r.ID)
			}
			seen[r.ID] = true
		}
	})
}
