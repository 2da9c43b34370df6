package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// FuzzPipeline runs the whole pipeline, capture bytes to reports, on
// arbitrary input: it must never panic (report.Builder's recover is off),
// never hang, and every JSON line must be a connection report with no
// internal_error. Seeds are every capture under pcaps/ and pcaps/real/.
// The output format is picked by the input's length, so the text and
// summary writers are fuzzed too.
func FuzzPipeline(f *testing.F) {
	for _, path := range captures(f) {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	recoverPanics = false
	f.Cleanup(func() { recoverPanics = true })
	f.Fuzz(func(t *testing.T, data []byte) {
		format := []string{"json", "text", "summary"}[len(data)%3]
		var out, errOut bytes.Buffer
		code := run([]string{"-r", "-", "--format", format}, bytes.NewReader(data), &out, &errOut)
		if code != exitOK && code != exitError && code != exitUsage {
			t.Fatalf("exit code %d", code)
		}
		if code != exitOK && out.Len() > 0 && format == "json" {
			// Reports written before a read error are fine; nothing else is.
			if errOut.Len() == 0 {
				t.Fatalf("exit %d with output and no diagnostic", code)
			}
		}
		if format != "json" {
			return
		}
		sc := bufio.NewScanner(&out)
		sc.Buffer(nil, 1<<26)
		for sc.Scan() {
			var c struct {
				Type   string `json:"type"`
				Errors []struct {
					Code string `json:"code"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
				t.Fatalf("output line is not JSON: %v: %.200s", err, sc.Text())
			}
			if c.Type != "connection" {
				t.Fatalf("line of type %q", c.Type)
			}
			for _, e := range c.Errors {
				if strings.Contains(e.Code, "internal") {
					t.Fatalf("internal error: %s", sc.Text())
				}
			}
		}
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	})
}
