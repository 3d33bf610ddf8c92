package journal

import "path/filepath"

// Dir is where the journal of a data dir keeps its segments.
func Dir(dataDir string) string { return filepath.Join(dataDir, "journal") }

// Days lists the days that have a segment under dir, oldest first.
func Days(dir string) ([]string, error) { return listDays(dir) }

// Scan calls fn with every intact record under dir whose sequence number is
// above after, in sequence order, and stops at fn's first error, which it
// returns. It only reads: corrupt lines and a torn last line are skipped, not
// truncated (the journal repairs them when it next opens). It is for tools
// that run while no daemon does, such as `orchestrator stats rebuild`; a
// running daemon reads its journal through the journal actor.
func Scan(dir string, after uint64, fn func(Record) error) error { return replay(dir, after, fn) }
