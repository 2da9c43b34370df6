package report

import (
	"bufio"
	"io"

	"github.com/padlock-tls/padlock/internal/jsonenc"
)

// Writer writes connection reports in one output format.
type Writer interface {
	Write(*Connection) error
	// Close flushes what is buffered; it does not close the io.Writer.
	Close() error
}

// AppendJSON appends c as one NDJSON line (with its newline) to dst. The
// line always starts with `{"type":"connection","id":` and the id's
// digits, so a merger of several workers' lines can renumber them.
func AppendJSON(dst []byte, c *Connection) ([]byte, error) {
	start := len(dst)
	dst, err := jsonenc.Append(dst, c)
	if err != nil {
		return dst[:start], err
	}
	return append(dst, '\n'), nil
}

// JSONWriter writes one JSON object per line (NDJSON).
type JSONWriter struct {
	bw  *bufio.Writer
	buf []byte
	// Flush after every line, for live output piped into jq.
	FlushEach bool
}

// NewJSONWriter returns an NDJSON writer on w.
func NewJSONWriter(w io.Writer) *JSONWriter {
	return &JSONWriter{bw: bufio.NewWriterSize(w, 64<<10)}
}

func (j *JSONWriter) Write(c *Connection) error {
	var err error
	if j.buf, err = AppendJSON(j.buf[:0], c); err != nil {
		return err
	}
	return j.WriteLine(j.buf)
}

// WriteLine writes a line AppendJSON made.
func (j *JSONWriter) WriteLine(line []byte) error {
	if _, err := j.bw.Write(line); err != nil {
		return err
	}
	if j.FlushEach {
		return j.bw.Flush()
	}
	return nil
}

func (j *JSONWriter) Close() error { return j.bw.Flush() }
