package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// imageExts are the file extensions ReadClassFolders takes for images,
// lower case.
var imageExts = []string{".jpg", ".jpeg", ".png", ".gif", ".bmp", ".webp"}

// ReadClassFolders reads the folder-per-class layout of single-label,
// multi-class data sets: every subdirectory of dir is a class, and every
// image file in it (by extension, case-insensitively: .jpg .jpeg .png .gif
// .bmp .webp) is a poster of that class. Hidden files and directories
// (names starting with '.') are skipped, as are class directories with no
// images and files directly in dir. Each poster's ID is "<class>/<file
// stem>" and its Title the file stem. Posters are sorted by class then file
// name; classes are returned sorted.
func ReadClassFolders(dir string) ([]Poster, []string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("dataset: reading class folders: %w", err)
	}
	var posters []Poster
	var classes []string
	for _, e := range entries { // ReadDir sorts by name
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		class := e.Name()
		files, err := os.ReadDir(filepath.Join(dir, class))
		if err != nil {
			return nil, nil, fmt.Errorf("dataset: reading class folders: %w", err)
		}
		n := 0
		for _, f := range files {
			name := f.Name()
			ext := strings.ToLower(filepath.Ext(name))
			if f.IsDir() || strings.HasPrefix(name, ".") || !slices.Contains(imageExts, ext) {
				continue
			}
			stem := strings.TrimSuffix(name, filepath.Ext(name))
			posters = append(posters, Poster{
				ID:     class + "/" + stem,
				Title:  stem,
				Genres: []string{class},
				Path:   filepath.Join(dir, class, name),
			})
			n++
		}
		if n > 0 {
			classes = append(classes, class)
		}
	}
	if len(classes) == 0 {
		return nil, nil, fmt.Errorf("dataset: no class folders with images in %s: expected the layout %s/<class>/<image>.jpg", dir, dir)
	}
	return posters, classes, nil
}
