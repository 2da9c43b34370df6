package decrypt

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestWriteFuzzSeeds rewrites testdata/fuzz/FuzzDecrypt from the
// records of pcaps/tls13-basic.pcap and pcaps/tls12-basic.pcap (with the
// FuzzDecrypt parameter index that matches their suite, though their
// keys are not the fuzz keys: the seeds reach the parsing and
// authentication paths of real record shapes). Run with
// PADLOCK_WRITE_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("PADLOCK_WRITE_SEEDS") == "" {
		t.Skip("set PADLOCK_WRITE_SEEDS=1 to rewrite the seeds")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzDecrypt")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for _, tc := range []struct {
		pcap string
		sel  uint8
	}{{"tls13-basic.pcap", 0}, {"tls12-basic.pcap", 5}} {
		conns := readCapture(t, "../pcaps/"+tc.pcap)
		_, clientDir := params(t, conns[0])
		var data []byte
		for _, r := range conns[0].records {
			from := byte(0)
			if r.dir != clientDir {
				from = 0x80
			}
			data = append(data, from|r.typ, byte(len(r.body)>>8), byte(len(r.body)))
			data = append(data, r.body...)
		}
		body := fmt.Sprintf("go test fuzz v1\nuint8(%d)\n[]byte(%q)\n", tc.sel, data)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "seed-"+tc.pcap), []byte(body), 0o644))
	}
}
