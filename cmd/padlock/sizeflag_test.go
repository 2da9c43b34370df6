package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// --max-memory takes MiB as a number, or a size written with a unit.
func TestMebibytes(t *testing.T) {
	for in, want := range map[string]int{
		"0": 0, "64": 64, "512M": 512, "512 MiB": 512, "512mb": 512,
		"1G": 1024, "1.5G": 1536, "2GiB": 2048, "1t": 1 << 20,
		"1024K": 1, "1K": 1, "1536KiB": 2, // rounded up to whole MiB
	} {
		var m mebibytes
		if assert.NoError(t, m.Set(in), in) {
			assert.Equal(t, want, int(m), in)
		}
	}
	for _, in := range []string{"", "lots", "-1", "1X", "G", "1e400", "NaN", "1GG", "99999999T"} {
		var m mebibytes
		assert.Error(t, m.Set(in), in)
	}

	out, errOut, code := runPadlock("-r", "../../pcaps/tls13-basic.pcap", "--max-memory", "1G")
	assert.Equal(t, exitOK, code, errOut)
	assert.NotEmpty(t, out)
	_, errOut, code = runPadlock("-r", "../../pcaps/tls13-basic.pcap", "--max-memory", "64MB!")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, `"64MB!" is not a size`)
}
