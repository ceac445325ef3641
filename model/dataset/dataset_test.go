package dataset

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadLabels(t *testing.T) {
	dir := filepath.Join("testdata", "labelled")
	got, err := ReadLabels(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Poster{
		{ID: "114709", Title: "Toy Story", Year: 1995, Genres: []string{"Animation", "Adventure", "Comedy"}, Path: filepath.Join(dir, "images", "114709.jpg")},
		{ID: "2544", Title: "Trädgårdsmästaren, the gardener", Genres: []string{"Drama"}, Path: filepath.Join(dir, "images", "2544.jpg")},
		{ID: "99", Title: `Say "Hi"`, Year: 2001, Genres: []string{"Comedy", "Drama"}, Path: filepath.Join(dir, "images", "99.jpg")},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadLabels:\n got %+v\nwant %+v", got, want)
	}
}

// writeLayout makes a labelled layout in a temporary directory with the
// given labels.csv content.
func writeLayout(t *testing.T, csv string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "images"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "labels.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReadLabelsErrors(t *testing.T) {
	tests := []struct {
		name, csv, want string
	}{
		{"empty", "", "is empty"},
		{"no genres column", "imdbId,title\n1,A\n", `labels.csv:1: header has no "genres" column`},
		{"short row", "imdbId,title,year,genres\n1,A,2000,Drama\n2,B,2001\n", "labels.csv:3: 3 fields, want 4"},
		{"bad year", "imdbId,title,year,genres\n1,A,20x0,Drama\n", `labels.csv:2: invalid year "20x0"`},
		{"bad id", "imdbId,title,year,genres\n../x,A,2000,Drama\n", `labels.csv:2: invalid imdbId "../x"`},
		{"empty id", "imdbId,genres\n,Drama\n", `labels.csv:2: invalid imdbId ""`},
		{"duplicate", "imdbId,genres\n1,Drama\n2,Drama\n1,Comedy\n", "labels.csv:4: duplicate imdbId 1 (first on line 2)"},
		{"bad quote", "imdbId,title,genres\n1,\"A\"x,Drama\n", "parse error on line 2"},
		{"multiline title line count", "imdbId,title,genres\n1,\"A\nB\",Drama\n2,C,Drama,extra\n", "labels.csv:4: 4 fields, want 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadLabels(writeLayout(t, tc.csv))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestReadLabelsMissing(t *testing.T) {
	empty := t.TempDir()
	noImages := t.TempDir()
	if err := os.WriteFile(filepath.Join(noImages, "labels.csv"), []byte("imdbId,genres\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir, want string
	}{
		{"no dir", filepath.Join(empty, "nope"), "does not exist"},
		{"no labels.csv", empty, "no labels.csv in " + empty + ": expected the labelled layout labels.csv + images/<imdbId>.jpg"},
		{"no images dir", noImages, "no images/ directory in " + noImages},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadLabels(tc.dir)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestWriteLabelsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	in := []Poster{
		{ID: "1", Title: "A, with comma", Year: 1999, Genres: []string{"Drama", "War"}},
		{ID: "22", Title: `Quote "q"`, Genres: []string{"Comedy"}},
		{ID: "333", Title: "Ünïcode", Year: 2010},
	}
	if err := WriteLabels(dir, in); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "images"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := ReadLabels(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i].Path = ImagePath(dir, in[i].ID)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, in)
	}
	// Overwriting leaves no temporary files behind.
	if err := WriteLabels(dir, in[:1]); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"images", "labels.csv"}; !reflect.DeepEqual(names, want) {
		t.Errorf("directory holds %v, want %v", names, want)
	}
	if err := WriteLabels(dir, []Poster{{ID: "a/b"}}); err == nil {
		t.Error("WriteLabels accepted the id a/b")
	}
}

func TestReadMovieGenreCSV(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "MovieGenre-sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadMovieGenreCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []MovieGenreRow{
		{ID: "114709", Title: "Toy Story", Year: 1995, Genres: []string{"Animation", "Adventure", "Comedy"},
			IMDbLink: "http://www.imdb.com/title/tt114709", Score: 8.3, PosterURL: "https://images-na.ssl-images-amazon.com/images/M/toy.jpg"},
		// Latin-1 0xE8 and 0xE9 decode to è and é; the duplicate row after it is dropped.
		{ID: "113041", Title: "Père de la mariée", Year: 1995, Genres: []string{"Comedy", "Family", "Romance"},
			IMDbLink: "http://www.imdb.com/title/tt113041", Score: 5.9, PosterURL: "https://example.com/pere.jpg"},
		// Empty genre and score are kept; "(2004/I)" still gives the year.
		{ID: "375568", Title: "Crash", Year: 2004, IMDbLink: "http://www.imdb.com/title/tt375568", PosterURL: "https://example.com/crash.jpg"},
		// No year in the title, no poster URL.
		{ID: "12345", Title: "No Year, Really", Genres: []string{"Drama"}, IMDbLink: "http://www.imdb.com/title/tt12345", Score: 7},
		// A bare quote in an unquoted title; a quoted URL holding commas.
		{ID: "777", Title: `The "Quoted" Movie`, Year: 2001, Genres: []string{"Music"}, IMDbLink: "http://www.imdb.com/title/tt777",
			Score: 6.5, PosterURL: "https://images-na.ssl-images-amazon.com/images/M/x._V1_UX182_CR0,0,182,268_AL_.jpg"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadMovieGenreCSV:\n got %+v\nwant %+v", got, want)
	}
}

func TestReadMovieGenreCSVErrors(t *testing.T) {
	tests := []struct {
		name, csv, want string
	}{
		{"empty", "", "empty"},
		{"no poster column", "imdbId,Title,Genre\n1,A,Drama\n", `line 1: header has no "Poster" column`},
		{"bad score", "imdbId,Title,IMDB Score,Genre,Poster\n1,A (2000),x,Drama,u\n", `line 2: invalid IMDB Score "x"`},
		{"bad id", "imdbId,Title,Genre,Poster\n/etc,A (2000),Drama,u\n", `line 2: invalid imdbId "/etc"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadMovieGenreCSV(strings.NewReader(tc.csv))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestLatin1Reader(t *testing.T) {
	// Every byte value decodes to the rune of the same value, also across
	// the reader's 32 KiB buffer boundary.
	in := make([]byte, 70000)
	for i := range in {
		in[i] = byte(i)
	}
	var sb strings.Builder
	for _, b := range in {
		sb.WriteRune(rune(b))
	}
	r := newLatin1Reader(strings.NewReader(string(in)))
	var out []byte
	buf := make([]byte, 1000)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			break
		}
	}
	if string(out) != sb.String() {
		t.Errorf("decoded %d bytes, want %d, or content differs", len(out), sb.Len())
	}
}

func TestReadClassFolders(t *testing.T) {
	dir := filepath.Join("testdata", "classes")
	posters, classes, err := ReadClassFolders(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Comedy", "Drama"}; !reflect.DeepEqual(classes, want) {
		t.Errorf("classes = %v, want %v", classes, want)
	}
	want := []Poster{
		{ID: "Comedy/a", Title: "a", Genres: []string{"Comedy"}, Path: filepath.Join(dir, "Comedy", "a.png")},
		{ID: "Comedy/b", Title: "b", Genres: []string{"Comedy"}, Path: filepath.Join(dir, "Comedy", "b.JPG")},
		{ID: "Drama/c", Title: "c", Genres: []string{"Drama"}, Path: filepath.Join(dir, "Drama", "c.jpeg")},
	}
	if !reflect.DeepEqual(posters, want) {
		t.Errorf("posters:\n got %+v\nwant %+v", posters, want)
	}
	if _, _, err := ReadClassFolders(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no class folders") {
		t.Errorf("empty dir: error = %v", err)
	}
}

func TestSelectGenres(t *testing.T) {
	posters := []Poster{
		{ID: "1", Genres: []string{"Drama", "Western"}},
		{ID: "2", Genres: []string{"Western"}},
		{ID: "3", Genres: []string{"Comedy", "Drama"}},
		{ID: "4", Genres: []string{"Drama"}},
		{ID: "5"},
	}
	tests := []struct {
		name        string
		genres      []string
		minCount    int
		wantLabels  []string
		wantIDs     []string
		wantDropped int
	}{
		{"by count", nil, 2, []string{"Drama", "Western"}, []string{"1", "2", "3", "4"}, 1},
		{"by count high", nil, 3, []string{"Drama"}, []string{"1", "3", "4"}, 2},
		{"explicit", []string{"Western", "Comedy", "Comedy"}, 100, []string{"Comedy", "Western"}, []string{"1", "2", "3"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			kept, labels, dropped := SelectGenres(posters, tc.genres, tc.minCount)
			var ids []string
			for _, p := range kept {
				ids = append(ids, p.ID)
				for _, g := range p.Genres {
					if !contains(labels, g) {
						t.Errorf("poster %s kept genre %q outside the labels", p.ID, g)
					}
				}
			}
			if !reflect.DeepEqual(labels, tc.wantLabels) || !reflect.DeepEqual(ids, tc.wantIDs) || dropped != tc.wantDropped {
				t.Errorf("got labels %v ids %v dropped %d, want %v %v %d", labels, ids, dropped, tc.wantLabels, tc.wantIDs, tc.wantDropped)
			}
		})
	}
	if !reflect.DeepEqual(posters[0].Genres, []string{"Drama", "Western"}) {
		t.Errorf("SelectGenres modified its input: %v", posters[0].Genres)
	}
}

func TestMatrix(t *testing.T) {
	posters := []Poster{{Genres: []string{"B", "Z"}}, {Genres: []string{"A"}}, {}}
	got := Matrix(posters, []string{"A", "B", "C"})
	want := []uint8{
		0, 1, 0,
		1, 0, 0,
		0, 0, 0,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Matrix = %v, want %v", got, want)
	}
}

func TestDefaultGenres(t *testing.T) {
	g := DefaultGenres()
	if len(g) != 18 {
		t.Fatalf("DefaultGenres has %d genres, want 18", len(g))
	}
	g[0] = "changed"
	if DefaultGenres()[0] != "Action" {
		t.Error("DefaultGenres returned shared state")
	}
}
