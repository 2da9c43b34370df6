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

// Workers asked for by name under a --max-memory too small for them run,
// with a warning that says what to expect and what to use instead; the
// default picks the workers the cap can hold, without one.
func TestMaxMemoryWorkersWarning(t *testing.T) {
	file := filepath.Join("..", "..", "pcaps", "tls13-basic.pcap")
	out, errOut, code := runPadlock("-r", file, "--max-memory", "64", "--workers", "2")
	assert.Equal(t, exitOK, code)
	assert.NotEmpty(t, out)
	assert.Contains(t, errOut, "padlock: warning: --max-memory 64 with --workers 2: each worker needs about 64 MiB, and padlock will be slower than with --workers 1")

	for _, args := range [][]string{{"--max-memory", "128", "--workers", "2"}, {"--max-memory", "64"}, {"--workers", "2"}} {
		_, errOut, code = runPadlock(append([]string{"-r", file}, args...)...)
		assert.Equal(t, exitOK, code)
		assert.NotContains(t, errOut, "warning", "%v", args)
	}
}
