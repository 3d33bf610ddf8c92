package store

import (
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// ReleaseMapped drops the state file's pages from the process's resident
// set (madvise MADV_DONTNEED on bbolt's read-only shared mapping). The
// services' start-up loads page in most of the file once; afterwards only a
// few pages are read at a time, and a page dropped here is read back from
// the page cache on its next use. Nothing is lost: the mapping is read-only
// and every write goes through the file. It runs inside a read transaction,
// during which bbolt cannot remap the file (a remap waits for readers).
func (s *Store) ReleaseMapped() error {
	return s.db.View(func(tx *bolt.Tx) error {
		info := s.db.Info()
		if info == nil || info.Data == 0 || tx.Size() <= 0 {
			return nil
		}
		// Syscall takes the address as a uintptr, as bbolt gives it: no
		// pointer conversion, and the mapping cannot move while tx is open.
		_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, info.Data, uintptr(tx.Size()), syscall.MADV_DONTNEED)
		if errno != 0 {
			return errno
		}
		return nil
	})
}
