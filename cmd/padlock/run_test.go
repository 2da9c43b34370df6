package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUsageAndExitCodes(t *testing.T) {
	out, _, code := runPadlock("--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "-r, --read FILE")
	assert.Contains(t, out, "Exit status:")

	out, _, code = runPadlock("--version")
	assert.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(out, "padlock "))

	_, errOut, code := runPadlock("--bogus")
	assert.Equal(t, 2, code)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), "one clear line: %q", errOut)

	_, errOut, code = runPadlock()
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "-r FILE")

	_, errOut, code = runPadlock("-r", "x.pcap", "--format", "xml")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--format")
}

func TestUnusableInput(t *testing.T) {
	dir := t.TempDir()
	notPcap := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notPcap, []byte("this is not a capture file\n"), 0o644))

	out, errOut, code := runPadlock("-r", notPcap)
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), "one clear line: %q", errOut)
	assert.Contains(t, errOut, "notes.txt")

	_, errOut, code = runPadlock("-r", filepath.Join(dir, "missing.pcap"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "missing.pcap")
}

func TestStdinInput(t *testing.T) {
	path := filepath.Join("..", "..", "pcaps", "tls13-basic.pcap")
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skip("pcaps/tls13-basic.pcap not generated")
	}
	require.NoError(t, err)
	fromFile, _, code := runPadlock("-r", path, "--format", "json")
	require.Equal(t, 0, code)
	var out strings.Builder
	var errOut strings.Builder
	code = run([]string{"-r", "-", "--format", "json"}, strings.NewReader(string(data)), &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.Equal(t, fromFile, out.String())
}
