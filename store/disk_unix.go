//go:build unix

package store

import (
	"io/fs"
	"syscall"
)

// allocated is the space a file occupies on disk. Badger preallocates its
// write-ahead and value logs as sparse files of up to twice their size limit,
// so the apparent size would overstate what is used.
func allocated(fi fs.FileInfo) int64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int64(st.Blocks) * 512
	}
	return fi.Size()
}
