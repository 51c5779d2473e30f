package doctor

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// checkDisk: free space on the data directory's file system (or, before the
// first start, on that of its nearest existing parent).
func (d *doctor) checkDisk() Result {
	const name = "disk"
	dir := d.cfg.DataDir
	if dir == "" {
		return Result{Check: name, Status: Skip, Detail: "store.data_dir is not set"}
	}
	p, err := filepath.Abs(dir)
	if err != nil {
		return Result{Check: name, Status: Warn, Detail: fmt.Sprintf("data directory %s: %v", dir, err), Next: "check store.data_dir"}
	}
	for {
		if _, err := os.Stat(p); err == nil || filepath.Dir(p) == p {
			break
		}
		p = filepath.Dir(p)
	}
	var fs syscall.Statfs_t
	if err := syscall.Statfs(p, &fs); err != nil {
		return Result{Check: name, Status: Warn, Detail: fmt.Sprintf("statfs %s: %v", p, err), Next: "check store.data_dir"}
	}
	free, total := fs.Bavail*uint64(fs.Bsize), fs.Blocks*uint64(fs.Bsize)
	ratio := 0.0
	if total > 0 {
		ratio = float64(free) / float64(total)
	}
	detail := fmt.Sprintf("%s free of %s (%.1f %%) on the file system of %s", bytesString(free), bytesString(total), 100*ratio, p)
	switch {
	case free < d.cfg.FailFreeBytes:
		return Result{Check: name, Status: Fail, Detail: detail, Next: "free space now: the store cannot write evidence when the disk is full (store.retention bounds its size)"}
	case free < d.cfg.MinFreeBytes || ratio < d.cfg.MinFreeRatio:
		return Result{Check: name, Status: Warn, Detail: detail, Next: fmt.Sprintf("free space on this file system, or lower store.retention (warns below %s or %.0f %%)", bytesString(d.cfg.MinFreeBytes), 100*d.cfg.MinFreeRatio)}
	}
	return Result{Check: name, Status: OK, Detail: detail}
}

func bytesString(b uint64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := uint64(unit), 0
	for n := b / unit; n >= unit && exp < 4; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(b)/float64(div), "KMGTP"[exp])
}
