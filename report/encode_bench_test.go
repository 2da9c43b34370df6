package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/reassembly"
)

// benchConnections reports every bundled capture's connections, the real
// stacks' too.
func benchConnections(tb testing.TB) []*Connection {
	var files []string
	for _, pat := range []string{"../pcaps/*.pcap*", "../pcaps/real/*.pcap*", "../pcaps/real/*/*.pcap*"} {
		m, err := filepath.Glob(pat)
		require.NoError(tb, err)
		files = append(files, m...)
	}
	var out []*Connection
	b := NewBuilder(func(c *Connection) error { out = append(out, c); return nil })
	for _, name := range files {
		f, err := os.Open(name)
		require.NoError(tb, err)
		src, err := capture.NewSource(f)
		require.NoError(tb, err)
		tr := reassembly.New(reassembly.DefaultOptions, b)
		dec := capture.NewDecoder()
		for {
			p, err := src.NextShared()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(tb, err)
			if seg, ok, err := dec.DecodeShared(p); err == nil && ok {
				tr.Add(&seg)
			}
		}
		tr.Close()
		f.Close()
	}
	require.NotEmpty(tb, out)
	return out
}

// The NDJSON line is what encoding/json writes for the same report.
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	for _, c := range benchConnections(t) {
		got, err := AppendJSON(nil, c)
		require.NoError(t, err)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		require.NoError(t, enc.Encode(c))
		require.Equal(t, want.String(), string(got), "byte for byte")
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	conns := benchConnections(b)
	var n int64
	var buf []byte
	for _, c := range conns {
		buf, _ = AppendJSON(buf[:0], c)
		n += int64(len(buf))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range conns {
			buf, _ = AppendJSON(buf[:0], c)
		}
	}
}
