// Package dataset reads and writes the poster datasets Posterity trains on,
// chooses the genres to learn, and splits posters into training and
// validation sets.
//
// # Layouts
//
// The labelled layout (ReadLabels, WriteLabels) is a directory holding
//
//	labels.csv            UTF-8, header row, columns imdbId,title,year,genres
//	images/<imdbId>.jpg   one poster per row
//
// where genres are joined with '|'. Columns are found by name, so extra
// columns (the shared data set has source and label_source) are ignored.
//
// Kaggle's MovieGenre.csv (ReadMovieGenreCSV) is the source list for
// downloading posters: Latin-1, columns imdbId,Imdb Link,Title,IMDB Score,
// Genre,Poster, with the year inside the title as "Title (YYYY)".
//
// The class-folder layout (ReadClassFolders) is dir/<class>/<image> for
// single-label, multi-class data sets.
//
// # Labels and shapes
//
// SelectGenres fixes the label set, sorted alphabetically; Matrix turns
// posters into the n×L row-major 0/1 matrix y, y[i*L+j] = 1 when poster i
// has label j. Split divides the rows of y by iterative stratification so
// that every label, rare ones included, keeps about the same share in the
// validation set.
package dataset
