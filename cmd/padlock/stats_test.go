package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// --stats prints the counters on stderr and changes nothing on stdout;
// no progress line is drawn when stderr is not a terminal.
func TestStats(t *testing.T) {
	path := filepath.Join("..", "..", "pcaps", "tls13-resumption.pcap")
	plain, plainErr, code := runPadlock("-r", path, "--format", "json")
	require.Equal(t, 0, code)
	out, errOut, code := runPadlock("-r", path, "--format", "json", "--stats")
	require.Equal(t, 0, code)
	assert.Equal(t, plain, out)
	assert.Equal(t, "", plainErr, "no progress line without a terminal")
	for _, want := range []string{
		"padlock: stats:\n", "  packets          33 (33 TCP, 0 other, 0 fragments held)\n",
		"  tcp connections  2\n", "  tls connections  2\n", "  records          26 (",
		"  gaps             0\n", "  evictions        0 ", "  caps hit         0 ", "  decode errors    0\n",
		"  elapsed", "  rate",
	} {
		assert.Contains(t, errOut, want)
	}
}
