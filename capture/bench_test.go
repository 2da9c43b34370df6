package capture

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// benchCapture is a capture of n TCP packets of about size bytes each.
func benchCapture(b testing.TB, ng bool, n, size int) []byte {
	data := ether(b, ip4TCP(b, 1, bytes.Repeat([]byte("x"), size)))
	recs := make([]rec, n)
	for i := range recs {
		recs[i] = rec{data: data, ts: t0.Add(time.Duration(i) * time.Microsecond)}
	}
	if ng {
		return writePcapng(b, layers.LinkTypeEthernet, recs...)
	}
	return writePcap(b, layers.LinkTypeEthernet, false, recs...)
}

func BenchmarkSourceNext(b *testing.B) {
	for _, c := range []struct {
		name string
		ng   bool
		gz   bool
		size int
	}{
		{"pcap/64", false, false, 64},
		{"pcap/1400", false, false, 1400},
		{"pcapng/1400", true, false, 1400},
		{"pcap.gz/1400", false, true, 1400},
	} {
		b.Run(c.name, func(b *testing.B) {
			file := benchCapture(b, c.ng, 1000, c.size)
			if c.gz {
				file = gz(b, file)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(file)))
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s, err := NewSource(bytes.NewReader(file))
				if err != nil {
					b.Fatal(err)
				}
				countPackets(b, s.Next, 1000)
			}
		})
	}
}

// BenchmarkSourceFile reads a capture file to its end with NextShared,
// the pipeline's way, through a buffer (NewSource on the file, as stdin
// is read) and through a mapping (Open, where the platform maps files).
// The file is in the page cache, as a capture read twice is.
func BenchmarkSourceFile(b *testing.B) {
	const packets = 20000
	canMap := canMap(b)
	for _, c := range []struct {
		name string
		ng   bool
		size int
	}{
		{"pcap/64", false, 64},
		{"pcap/1400", false, 1400},
		{"pcapng/1400", true, 1400},
	} {
		file := benchCapture(b, c.ng, packets, c.size)
		path := filepath.Join(b.TempDir(), "bench.pcap")
		if err := os.WriteFile(path, file, 0o644); err != nil {
			b.Fatal(err)
		}
		for _, mapped := range []bool{false, true} {
			name := "bufio/" + c.name
			if mapped {
				name = "mmap/" + c.name
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(file)))
				for b.Loop() {
					var s *Source
					var f *os.File
					var err error
					if mapped {
						s, err = Open(path, nil)
					} else if f, err = os.Open(path); err == nil {
						s, err = NewSource(f)
					}
					if err != nil {
						b.Fatal(err)
					}
					if s.Stable() != (mapped && canMap) {
						b.Fatal("Stable", s.Stable())
					}
					countPackets(b, s.NextShared, packets)
					s.Close()
					if f != nil {
						f.Close()
					}
				}
			})
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, size := range []int{64, 1400} {
		for _, c := range []struct {
			name string
			lt   layers.LinkType
			data []byte
		}{
			{"ethernet-ipv4", layers.LinkTypeEthernet, ether(b, ip4TCP(b, 1, bytes.Repeat([]byte("x"), size)))},
			{"vlan-ipv6", layers.LinkTypeEthernet, ether(b, ip6TCP(b, 1, bytes.Repeat([]byte("x"), size)), 5)},
			{"udp", layers.LinkTypeEthernet, ether(b, ip4UDP(b))},
		} {
			b.Run(fmt.Sprintf("%s/%d", c.name, size), func(b *testing.B) {
				d := NewDecoder()
				p := Packet{Frame: 1, Time: t0, Data: c.data, Length: len(c.data), LinkType: c.lt}
				b.ReportAllocs()
				b.SetBytes(int64(len(c.data)))
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if _, _, err := d.Decode(p); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// countPackets reads packets with next to the end and checks there were
// want (readAll keeps them, which a benchmark must not).
func countPackets(b *testing.B, next func() (Packet, error), want int) {
	n := 0
	for {
		_, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	if n != want {
		b.Fatal(n)
	}
}
