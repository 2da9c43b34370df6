package report

import (
	"bufio"
	"encoding/json"
	"io"
)

// Writer writes connection reports in one output format.
type Writer interface {
	Write(*Connection) error
	// Close flushes what is buffered; it does not close the io.Writer.
	Close() error
}

// JSONWriter writes one JSON object per line (NDJSON).
type JSONWriter struct {
	bw  *bufio.Writer
	enc *json.Encoder
	// Flush after every line, for live output piped into jq.
	FlushEach bool
}

// NewJSONWriter returns an NDJSON writer on w.
func NewJSONWriter(w io.Writer) *JSONWriter {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &JSONWriter{bw: bw, enc: enc}
}

func (j *JSONWriter) Write(c *Connection) error {
	if err := j.enc.Encode(c); err != nil {
		return err
	}
	if j.FlushEach {
		return j.bw.Flush()
	}
	return nil
}

func (j *JSONWriter) Close() error { return j.bw.Flush() }
