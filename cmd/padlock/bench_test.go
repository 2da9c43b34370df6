package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"

	"github.com/padlock-tls/padlock/capture"
	"github.com/padlock-tls/padlock/report"
)

// loadCaptures reads every bundled capture into memory so the benchmarks
// measure padlock, not the disk.
func loadCaptures(b *testing.B) [][]byte {
	var all [][]byte
	for _, p := range captures(b) {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, data)
	}
	return all
}

func totalLen(files [][]byte) int64 {
	var n int64
	for _, f := range files {
		n += int64(len(f))
	}
	return n
}

// BenchmarkReadOnly is the floor: a plain read of every packet.
func BenchmarkReadOnly(b *testing.B) {
	files := loadCaptures(b)
	b.SetBytes(totalLen(files))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			src, err := capture.NewSource(bytes.NewReader(f))
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := src.Next(); errors.Is(err, io.EOF) || err != nil {
					break
				}
			}
		}
	}
}

// BenchmarkPipeline is the whole job: decode, reassemble, dissect and write
// NDJSON. Compare its ns/op with BenchmarkReadOnly's from the same run.
func BenchmarkPipeline(b *testing.B) {
	files := loadCaptures(b)
	b.SetBytes(totalLen(files))
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			src, err := capture.NewSource(bytes.NewReader(f))
			if err != nil {
				b.Fatal(err)
			}
			w := report.NewJSONWriter(io.Discard)
			if code := process(src, w, options{}, io.Discard); code != exitOK {
				b.Fatalf("exit %d", code)
			}
		}
	}
}
