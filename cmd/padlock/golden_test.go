package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// go test ./cmd/padlock -run TestGolden -update rewrites the golden files;
// review the diff before committing it (DEVELOPERS.md).
var update = flag.Bool("update", false, "rewrite golden files")

// captures lists every capture bundled under pcaps/ and pcaps/real/.
func captures(t testing.TB) []string {
	var files []string
	for _, dir := range []string{"", "real"} {
		for _, pat := range []string{"*.pcap", "*.pcapng", "*.pcap.gz", "*.pcapng.gz"} {
			m, err := filepath.Glob(filepath.Join("..", "..", "pcaps", dir, pat))
			require.NoError(t, err)
			files = append(files, m...)
		}
	}
	require.NotEmpty(t, files, "no captures under pcaps/")
	return files
}

// allCaptures adds the captures in pcaps/real's subdirectories (failures,
// key-logged, field coverage), which have tests and goldens of their own,
// for the cross-checks that must hold on every capture.
func allCaptures(t testing.TB) []string {
	files := captures(t)
	more, err := filepath.Glob(filepath.Join("..", "..", "pcaps", "real", "*", "*.pcap*"))
	require.NoError(t, err)
	return append(files, more...)
}

// runPadlock runs the CLI in-process and returns stdout, stderr, exit code.
func runPadlock(args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), code
}

// goldenFlags: the goldens show JA4+ and judge chains against the test PKI
// that pcaps/gen signs its certificates with, so the verdicts do not depend
// on the machine's root store.
var goldenFlags = []string{"--ja4plus", "--ca-file", "../../pcaps/gen/certs/root.pem"}

// TestGolden pins padlock's JSON and text output for every bundled capture,
// byte for byte, and checks that output is the same on every run.
func TestGolden(t *testing.T) {
	for _, path := range captures(t) {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			for _, format := range []string{"json", "text", "summary"} {
				args := append([]string{"-r", path, "--format", format}, goldenFlags...)
				out, errOut, code := runPadlock(args...)
				require.Equal(t, 0, code, "stderr: %s", errOut)
				again, _, _ := runPadlock(args...)
				require.Equal(t, out, again, "output differs between two runs")

				ext := map[string]string{"json": ".ndjson", "text": ".txt", "summary": ".summary"}[format]
				golden := filepath.Join("testdata", "golden", name+ext)
				compareGolden(t, golden, out)
				if format == "json" {
					compareGolden(t, filepath.Join("testdata", "golden", name+".stderr"), errOut)
				}
			}
		})
	}
}

func compareGolden(t *testing.T, golden, got string) {
	t.Helper()
	if *update {
		if got == "" && strings.HasSuffix(golden, ".stderr") {
			os.Remove(golden)
			return
		}
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(golden)
	if os.IsNotExist(err) && strings.HasSuffix(golden, ".stderr") {
		want, err = nil, nil
	}
	require.NoError(t, err, "missing golden file: run go test ./cmd/padlock -run TestGolden -update and review the diff")
	assert.Equal(t, string(want), got, "output differs from %s", golden)
}
