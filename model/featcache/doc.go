// Package featcache is the on-disk cache of backbone features: one float32
// vector per poster image, keyed by the image's content hash, so that
// training runs after the first skip the backbone.
//
// # Keys and directories
//
// A cache is identified by its Meta: the backbone's checksum (for example
// the sha256 of its weight file), the preprocessing version and variant
// ("squash", "squash+flip") and the vector dimension. Open(dir, meta) uses
// the directory dir/<meta.ID()>, whose meta.json records the Meta, so a
// different backbone or preprocessing gets a different directory and is
// never served stale features. Inside it, an image's features are found by
// the sha256 of the image file's bytes (HashFile), so renamed or re-labelled
// posters keep their features and edited ones do not.
//
// # File format
//
// features.log is a 16-byte header followed by append-only records:
//
//	header  "PSTYFEAT" | version uint32 | dim uint32
//	record  magic "PFR\xe7" | hash [32]byte | n uint32 | n × float32 | crc32c uint32
//
// little-endian, with the CRC-32C (Castagnoli) taken over hash, n and the
// floats. A record is 44 + 4·dim bytes (5,164 for dim 1280).
//
// # Crash safety
//
// Records are only appended, with one write each, and fsynced every
// SyncEvery records and on Sync and Close. A crash can leave at most a torn
// last record: Open truncates it. A record that is corrupt in the middle of
// the log (a bad sector, a flipped bit) is skipped by scanning forward to
// the next record magic whose CRC checks; Stats reports both, and the
// dropped images simply miss in Get and are recomputed. When the same hash
// is appended twice the later record wins.
//
// The whole cache is held in memory (13k images × 1280 × 4 B ≈ 66 MB). A
// cache directory must be used by one process at a time.
package featcache
