package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/pcaps/hostile"
	"github.com/padlock-tls/padlock/reassembly"
	"github.com/padlock-tls/padlock/report"
)

// Live, --workers writes each report as its connection ends, as the one
// tracker of the live loop does: fed the same packets, both write the same
// lines in the same order, whatever the number of workers. (TestLive runs
// both on a real interface, as root; this runs anywhere.) The capture has
// a connection open from the first packet to the last while 100 others
// come and go, so first-packet order and end order differ.
func TestLiveSinksAgree(t *testing.T) {
	var in []byte
	for _, c := range hostile.Cases() {
		if c.Name == "long-lived-first" {
			in = c.Build()
		}
	}
	require.NotNil(t, in)
	o := options{iface: "test0", flowTimeout: reassembly.DefaultOptions.FlowTimeout}
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	addCapFlags(fs, &o.caps)
	require.NoError(t, fs.Parse(nil))

	feed := func(newSink func(report.Writer, options) liveSink, workers int) string {
		var out bytes.Buffer
		w := report.NewJSONWriter(&out)
		w.FlushEach = true
		oo := o
		oo.workers = workers
		sink := newSink(w, oo)
		src, err := capture.NewSource(bytes.NewReader(in))
		require.NoError(t, err)
		dec := capture.NewDecoder()
		for {
			p, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			require.NoError(t, err)
			if seg, ok, _ := dec.Decode(p); ok {
				sink.add(&seg)
				sink.push() // as the live loop's 100 ms pushes would, at every packet
			}
		}
		sink.close()
		require.NoError(t, sink.err())
		require.NoError(t, w.Close())
		return out.String()
	}
	one := feed(func(w report.Writer, o options) liveSink { return newSingle(w, o) }, 1)
	lines := strings.Split(strings.TrimSpace(one), "\n")
	require.Len(t, lines, hostile.LongLivedShort+1)
	var last struct {
		ID int `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &last))
	assert.Equal(t, 1, last.ID, "the long-lived connection, first by its first packet, is written last, when it ends")

	for _, n := range []int{2, 3} {
		got := feed(func(w report.Writer, o options) liveSink { return newWorkers(w, o) }, n)
		assert.Equal(t, one, got, "%d workers", n)
	}
}
