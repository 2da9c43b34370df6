package report

import (
	"bufio"
	"io"
	"strconv"

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
	dst, err := c.AppendJSON(dst)
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

// AppendJSON writes a record as encoding/json would (by hand: a
// connection lists many).
func (r *Record) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"number":`...)
	dst = strconv.AppendInt(dst, int64(r.Number), 10)
	dst = append(dst, `,"from":`...)
	dst = jsonenc.AppendString(dst, r.From)
	dst = append(dst, `,"type":`...)
	dst = jsonenc.AppendString(dst, r.Type)
	dst = append(dst, `,"type_code":`...)
	dst = strconv.AppendInt(dst, int64(r.TypeCode), 10)
	dst = append(dst, `,"version":`...)
	dst = jsonenc.AppendString(dst, r.Version)
	dst = append(dst, `,"version_code":`...)
	dst = strconv.AppendInt(dst, int64(r.VersionCode), 10)
	dst = append(dst, `,"length":`...)
	dst = strconv.AppendInt(dst, int64(r.Length), 10)
	dst = append(dst, `,"frames":`...)
	dst = appendIntsOrNull(dst, r.Frames)
	dst = append(dst, `,"encrypted":`...)
	dst = strconv.AppendBool(dst, r.Encrypted)
	if r.Decrypted {
		dst = append(dst, `,"decrypted":true`...)
	}
	dst = appendOptString(dst, `,"inner_type":`, r.InnerType)
	dst = appendOptInt(dst, `,"inner_type_code":`, r.InnerTypeCode)
	if r.SSLv2 {
		dst = append(dst, `,"sslv2":true`...)
	}
	if len(r.Messages) > 0 {
		dst = append(dst, `,"messages":[`...)
		for i, m := range r.Messages {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = jsonenc.AppendString(dst, m)
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}
