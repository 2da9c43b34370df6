package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"

	"github.com/padlock-tls/padlock/report"
)

// compileSchema compiles the published JSON Schema of the report.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(report.Schema))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	require.NoError(t, c.AddResource("connection.schema.json", doc))
	sch, err := c.Compile("connection.schema.json")
	require.NoError(t, err)
	return sch
}

// TestSchema validates every report padlock writes for the bundled captures
// against the published JSON Schema.
func TestSchema(t *testing.T) {
	sch := compileSchema(t)
	// The schema must be able to fail: a renamed field and a wrong type.
	out, _, _ := runPadlock("-r", filepath.Join("..", "..", "pcaps", "tls13-basic.pcap"), "--format", "json")
	for _, bad := range []string{
		strings.Replace(out, `"first_frame"`, `"firstFrame"`, 1),
		strings.Replace(out, `"established":true`, `"established":"yes"`, 1),
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(strings.TrimSpace(bad)))
		require.NoError(t, err)
		require.Error(t, sch.Validate(v))
	}
	type run struct {
		name string
		args []string
	}
	var runs []run
	for _, path := range captures(t) {
		runs = append(runs, run{filepath.Base(path), []string{"-r", path}})
		runs = append(runs, run{filepath.Base(path) + "/ja4plus", []string{"-r", path, "--ja4plus"}})
	}
	for _, pair := range keylogCaptures(t) {
		runs = append(runs, run{filepath.Base(pair[0]) + "/keylog", []string{"-r", pair[0], "--keylog", pair[1], "--ja4plus"}})
	}
	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			out, errOut, code := runPadlock(append(r.args, "--format", "json")...)
			require.Equal(t, 0, code, errOut)
			for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
				v, err := jsonschema.UnmarshalJSON(strings.NewReader(line))
				require.NoError(t, err)
				require.NoError(t, sch.Validate(v), "line %d", i+1)
			}
		})
	}
}
