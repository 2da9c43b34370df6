package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// A small capture: every packet decodes with valid checksums-worth of
// structure, there is one SYN per connection, and the ground truth counts
// what is in the file.
func TestGenerateSmall(t *testing.T) {
	for _, kind := range []string{"handshake", "idle"} {
		out := filepath.Join(t.TempDir(), kind+".pcap")
		if err := generate(kind, out, 200, 1, 12, 7); err != nil {
			t.Fatal(err)
		}
		var tr truth
		b, err := os.ReadFile(out + ".truth.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &tr); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		r, err := pcapgo.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		var packets int64
		syns := 0
		for {
			data, _, err := r.ReadPacketData()
			if err != nil {
				break
			}
			packets++
			p := gopacket.NewPacket(data, layers.LinkTypeEthernet, gopacket.Default)
			if p.ErrorLayer() != nil {
				t.Fatalf("%s: packet %d: %v", kind, packets, p.ErrorLayer().Error())
			}
			tcp, _ := p.Layer(layers.LayerTypeTCP).(*layers.TCP)
			if tcp == nil {
				t.Fatalf("%s: packet %d is not TCP", kind, packets)
			}
			if tcp.SYN && !tcp.ACK {
				syns++
			}
		}
		f.Close()
		if packets != tr.Packets || syns != tr.Connections || tr.Connections < 200 {
			t.Errorf("%s: %d packets, %d SYNs; truth %+v", kind, packets, syns, tr)
		}
		if kind == "handshake" && (tr.Established == 0 || tr.ClientHellos < tr.Connections) {
			t.Errorf("handshake: truth %+v", tr)
		}
	}
}
