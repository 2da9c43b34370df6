package capture

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sampleCaptures lists the committed captures (pcaps/ and pcaps/real/).
func sampleCaptures(t testing.TB) []string {
	var out []string
	for _, g := range []string{"../pcaps/*.pcap*", "../pcaps/real/*.pcap*"} {
		m, err := filepath.Glob(g)
		require.NoError(t, err)
		out = append(out, m...)
	}
	require.NotEmpty(t, out)
	return out
}

// NextShared and DecodeShared give exactly what Next and Decode give.
func TestSharedMatchesCopying(t *testing.T) {
	for _, path := range sampleCaptures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			file, err := os.ReadFile(path)
			require.NoError(t, err)
			a, err := NewSource(bytes.NewReader(file))
			require.NoError(t, err)
			b, err := NewSource(bytes.NewReader(file))
			require.NoError(t, err)
			da, db := NewDecoder(), NewDecoder()
			for {
				pa, erra := a.Next()
				pb, errb := b.NextShared()
				require.Equal(t, erra, errb)
				if erra != nil {
					break
				}
				require.Equal(t, pa, pb)
				sa, oka, erra := da.Decode(pa)
				sb, okb, errb := db.DecodeShared(pb)
				require.Equal(t, oka, okb)
				require.Equal(t, erra, errb)
				if oka {
					// The reused layer keeps scratch space of its own:
					// compare what a segment is read for.
					assert.Equal(t, sa.TCP.Contents, sb.TCP.Contents)
					assert.Equal(t, sa.TCP.Payload, sb.TCP.Payload)
					assert.Equal(t, sa.TCP.Options, sb.TCP.Options)
					assert.Equal(t, [4]uint32{sa.TCP.Seq, sa.TCP.Ack, uint32(sa.TCP.SrcPort), uint32(sa.TCP.DstPort)},
						[4]uint32{sb.TCP.Seq, sb.TCP.Ack, uint32(sb.TCP.SrcPort), uint32(sb.TCP.DstPort)})
					sa.TCP, sb.TCP = nil, nil
					assert.Equal(t, sa, sb)
				}
			}
			assert.Equal(t, a.Warnings(), b.Warnings())
			assert.Equal(t, da.Stats(), db.Stats())
		})
	}
}

// Reading and decoding a packet costs no allocation in the shared mode.
func TestSharedReadDecodeAllocatesNothing(t *testing.T) {
	for _, ng := range []bool{false, true} {
		file := benchCapture(t, ng, 2000, 1400)
		s, err := NewSource(bytes.NewReader(file))
		require.NoError(t, err)
		d := NewDecoder()
		step := func() {
			p, err := s.NextShared()
			if err == io.EOF {
				return
			}
			require.NoError(t, err)
			_, ok, err := d.DecodeShared(p)
			require.NoError(t, err)
			require.True(t, ok)
		}
		step() // past the first block's setup
		allocs := testing.AllocsPerRun(1000, step)
		assert.Zero(t, allocs, "pcapng=%v", ng)
	}
}
