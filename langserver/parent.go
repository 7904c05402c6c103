package langserver

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"time"
)

// parentPoll is how often the server checks that the client process that
// started it is still there.
const parentPoll = time.Second

// watchParent closes the connection once process pid (the client's, from
// initialize) has gone, for clients that die without closing the server's
// input. It does nothing where a process cannot be probed.
func (s *server) watchParent(ctx context.Context, pid int) {
	if pid <= 0 || runtime.GOOS == "windows" {
		return
	}
	go func() {
		t := time.NewTicker(parentPoll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-s.conn.Done():
				return
			case <-t.C:
			}
			if !alive(pid) {
				s.conn.Close()
				return
			}
		}
	}()
}

// alive reports whether process pid exists.
func alive(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || err == syscall.EPERM
}
