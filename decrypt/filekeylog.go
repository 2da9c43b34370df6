package decrypt

import (
	"os"
	"sync"
	"time"
)

// FileKeyLog is a key log file that may still be growing, as
// SSLKEYLOGFILE is while the browser it belongs to runs next to a live
// capture. A Lookup that misses re-reads the file if its size or
// modification time changed since the last read, and so does a Conn
// that finds a secret it needs missing. It is safe for concurrent use.
type FileKeyLog struct {
	path string

	mu    sync.Mutex
	log   *KeyLog
	size  int64
	mtime time.Time
	bad   []*LineError
	err   error
}

// OpenKeyLogFile reads the key log at path. The error is an I/O error:
// bad lines are in Bad.
func OpenKeyLogFile(path string) (*FileKeyLog, error) {
	f := &FileKeyLog{path: path, log: &KeyLog{}}
	f.reload()
	if f.err != nil {
		return nil, f.err
	}
	return f, nil
}

// reload re-reads the whole file if it changed; f.mu is held.
func (f *FileKeyLog) reload() bool {
	st, err := os.Stat(f.path)
	if err != nil {
		f.err = err
		return false
	}
	if st.Size() == f.size && st.ModTime().Equal(f.mtime) {
		return false
	}
	file, err := os.Open(f.path)
	if err != nil {
		f.err = err
		return false
	}
	defer file.Close()
	k, bad, err := ParseKeyLog(file, f.path)
	if err != nil {
		f.err = err
		return false
	}
	// A line being written when we read may be cut: it is read again
	// whole next time, and only the last read's complaints are kept.
	f.log, f.bad, f.err = k, bad, nil
	f.size, f.mtime = st.Size(), st.ModTime()
	return true
}

// Lookup implements Keys.
func (f *FileKeyLog) Lookup(clientRandom []byte) (*Secrets, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s, ok := f.log.Lookup(clientRandom); ok {
		return s, true
	}
	if f.reload() {
		return f.log.Lookup(clientRandom)
	}
	return nil, false
}

// Refresh implements Refresher: it re-reads the file if it changed, then
// looks up, hit or miss.
func (f *FileKeyLog) Refresh(clientRandom []byte) (*Secrets, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reload()
	return f.log.Lookup(clientRandom)
}

// Bad returns the unusable lines of the last read and the last read
// error (a file that vanished, say).
func (f *FileKeyLog) Bad() ([]*LineError, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bad, f.err
}

// Len returns the number of client randoms known.
func (f *FileKeyLog) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.log.Len()
}
