package benchkit

import "syscall"

// RaiseFDLimit raises RLIMIT_NOFILE's soft limit to its hard limit and
// returns the new soft limit: 10,000 connections need more than the usual
// 1,024 descriptors.
func RaiseFDLimit() (uint64, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	l.Cur = l.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, err
	}
	return l.Cur, nil
}
