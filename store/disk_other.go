//go:build !unix

package store

import "io/fs"

func allocated(fi fs.FileInfo) int64 { return fi.Size() }
