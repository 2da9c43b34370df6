package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net"
	"time"

	"github.com/gopacket/gopacket/layers"
)

// scenario is one generated output file.
type scenario struct {
	file string
	desc string
	make func(p *pki) (*capture, error)
}

func single(format string, link layers.LinkType, res *connResult) *capture {
	return &capture{format: format, ifaces: []ifaceSpec{{link: link, name: "eth0"}}, frames: res.frames}
}

var base = fixedNow

// basicTLS13 is shared by tls13-basic.pcap and its gzip copy.
func basicTLS13(p *pki) (*capture, error) {
	label := "tls13-basic"
	var kl bytes.Buffer
	c := clientConfig(p, label)
	c.KeyLogWriter = &kl
	res, err := connSpec{
		label:  label,
		client: c,
		server: serverConfig(p, label, p.cert("ecdsa", true)),
		net:    defaultNet(),
		base:   base,
		check:  wantVersion(tls.VersionTLS13),
	}.run()
	if err != nil {
		return nil, err
	}
	cp := single(fmtPcap, layers.LinkTypeEthernet, res)
	cp.side = map[string][]byte{"tls13-basic.keylog": kl.Bytes()}
	return cp, nil
}

func tls12Client(p *pki, label string) *tls.Config {
	c := clientConfig(p, label)
	c.MaxVersion = tls.VersionTLS12
	return c
}

// rsaPKCS1 restricts an RSA certificate to PKCS#1 v1.5 signatures.
func rsaPKCS1(c tls.Certificate) tls.Certificate {
	c.SupportedSignatureAlgorithms = []tls.SignatureScheme{tls.PKCS1WithSHA256}
	return c
}

var hrrRandom, _ = hex.DecodeString("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")

func firstWrite(r *connResult, d int) []byte {
	for _, e := range r.conv.events {
		if e.dir == d && len(e.data) > 0 {
			return e.data
		}
	}
	return nil
}

// wantAlert checks that the first write of direction d is a fatal alert
// with description desc.
func wantAlert(d int, desc byte) func(r *connResult) error {
	return func(r *connResult) error {
		b := firstWrite(r, d)
		if len(b) < 7 || b[0] != 21 || b[5] != 2 || b[6] != desc {
			return fmt.Errorf("first write of side %d is % x, want fatal alert %d", d, b[:min(len(b), 7)], desc)
		}
		return nil
	}
}

func wantRecordSegments(d, rec, min int) func(r *connResult) error {
	return func(r *connResult) error {
		if n := r.recordSegments(d, rec); n < min {
			return fmt.Errorf("record %d of side %d spans %d segments, want >= %d", rec, d, n, min)
		}
		return nil
	}
}

var scenarios = []scenario{
	{
		file: "tls13-basic.pcap",
		desc: "TLS 1.3, Ethernet, IPv4, port 443, SNI example.com, ALPN h2,http/1.1 offered (http/1.1 chosen), ECDSA P-256 leaf + intermediate; microsecond pcap; keylog in tls13-basic.keylog",
		make: basicTLS13,
	},
	{
		file: "tls13-basic.pcap.gz",
		desc: "gzip of tls13-basic.pcap (detect by magic bytes)",
		make: func(p *pki) (*capture, error) {
			c, err := basicTLS13(p)
			if err != nil {
				return nil, err
			}
			c.gzip = true
			c.side = nil
			return c, nil
		},
	},
	{
		file: "tls12-basic.pcap",
		desc: "TLS 1.2 ECDHE-RSA AES-GCM, RSA 2048 leaf + intermediate, PKCS#1 v1.5 ServerKeyExchange signature, session ticket; keylog in tls12-basic.keylog",
		make: func(p *pki) (*capture, error) {
			label := "tls12-basic"
			var kl bytes.Buffer
			c := tls12Client(p, label)
			c.KeyLogWriter = &kl
			c.ClientSessionCache = tls.NewLRUClientSessionCache(4)
			n := defaultNet()
			n.clientPort = 51600
			res, err := connSpec{
				label:  label,
				client: c,
				server: serverConfig(p, label, rsaPKCS1(p.cert("rsa", true))),
				net:    n,
				base:   base,
				check:  wantVersion(tls.VersionTLS12),
			}.run()
			if err != nil {
				return nil, err
			}
			cp := single(fmtPcap, layers.LinkTypeEthernet, res)
			cp.side = map[string][]byte{"tls12-basic.keylog": kl.Bytes()}
			return cp, nil
		},
	},
	{
		file: "tls12-cert-4-segments.pcap",
		desc: "TLS 1.2, MSS 300: the Certificate record/message (RSA leaf + intermediate) is carried by 7 TCP segments; nanosecond pcap",
		make: func(p *pki) (*capture, error) {
			label := "tls12-cert-4-segments"
			n := defaultNet()
			n.clientPort = 51610
			res, err := connSpec{
				label:  label,
				client: tls12Client(p, label),
				server: serverConfig(p, label, rsaPKCS1(p.cert("rsa", true))),
				tcp:    tcpOpts{mss: 300},
				net:    n,
				base:   base,
				check:  all(wantVersion(tls.VersionTLS12), wantRecordSegments(1, 1, 4)),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcapNs, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls12-msg-3-records.pcap",
		desc: "TLS 1.2; the server flight is re-framed: Certificate split over 3 handshake records, ServerKeyExchange + ServerHelloDone share one record",
		make: func(p *pki) (*capture, error) {
			label := "tls12-msg-3-records"
			n := defaultNet()
			n.clientPort = 51620
			plan := func(msgs [][]byte) [][]byte {
				if len(msgs) != 4 || msgs[1][0] != 11 {
					panic(fmt.Sprintf("unexpected TLS 1.2 server flight: %d messages", len(msgs)))
				}
				cert := msgs[1]
				a, b := len(cert)/3, 2*len(cert)/3
				return [][]byte{msgs[0], cert[:a], cert[a:b], cert[b:], append(bytes.Clone(msgs[2]), msgs[3]...)}
			}
			res, err := connSpec{
				label:  label,
				client: tls12Client(p, label),
				server: serverConfig(p, label, rsaPKCS1(p.cert("rsa", true))),
				xforms: [2]func([]byte) []byte{nil, reframeTLS12ServerFlight(plan)},
				net:    n,
				base:   base,
				check:  wantVersion(tls.VersionTLS12),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls12-3-records-1-segment.pcap",
		desc: "TLS 1.2 ECDHE-ECDSA with a lone ECDSA leaf: one TCP segment holds 4 records (ServerHello, Certificate, ServerKeyExchange, ServerHelloDone)",
		make: func(p *pki) (*capture, error) {
			label := "tls12-3-records-1-segment"
			n := defaultNet()
			n.clientPort = 51630
			c := tls12Client(p, label)
			// The server sends its leaf alone; the client trusts the
			// intermediate CA directly.
			c.RootCAs = x509.NewCertPool()
			ic, err := x509.ParseCertificate(p.inter)
			if err != nil {
				return nil, err
			}
			c.RootCAs.AddCert(ic)
			res, err := connSpec{
				label:  label,
				client: c,
				server: serverConfig(p, label, p.cert("ecdsa", false)),
				net:    n,
				base:   base,
				check: all(wantVersion(tls.VersionTLS12), func(r *connResult) error {
					s := r.segs[dataSeg(r.segs, 1, 0)]
					if k := len(records(s.data)); k < 3 {
						return fmt.Errorf("first server segment holds %d records", k)
					}
					return nil
				}),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls13-reorder-retrans.pcap",
		desc: "TLS 1.3, MSS 536: server segments 2 and 3 swapped (out of order), exact retransmission of server segment 1, a retransmission overlapping segments 3 and 4 partly, and a duplicated ClientHello segment",
		make: func(p *pki) (*capture, error) {
			label := "tls13-reorder-retrans"
			n := defaultNet()
			n.clientPort = 51640
			res, err := connSpec{
				label:  label,
				client: clientConfig(p, label),
				server: serverConfig(p, label, p.cert("rsa", true)),
				tcp:    tcpOpts{mss: 536},
				net:    n,
				base:   base,
				edit: func(f *flow) []seg {
					segs := append([]seg(nil), f.segs...)
					a0, a1, a2, a3 := dataSeg(segs, 1, 0), dataSeg(segs, 1, 1), dataSeg(segs, 1, 2), dataSeg(segs, 1, 3)
					s0, s2, s3 := segs[a0], segs[a2], segs[a3]
					segs[a1], segs[a2] = segs[a2], segs[a1]
					// After a retransmission timeout the server resends
					// segment 1, then a segment overlapping 3 and 4.
					overlap := f.rangeSeg(1, streamOffset(s2)+100, streamOffset(s3)+100, s3.ack)
					overlap.delay = 3 * time.Millisecond
					s0.delay = 200 * time.Millisecond
					segs = insertAt(segs, a3+1, s0)
					segs = insertAt(segs, a3+2, overlap)
					c0 := dataSeg(segs, 0, 0)
					segs = insertAt(segs, c0+1, segs[c0])
					return segs
				},
				check: wantVersion(tls.VersionTLS13),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls12-midstream.pcapng",
		desc: "TLS 1.2 capture that starts mid-connection: no SYN, no ClientHello; the first packet is the second server segment, in the middle of the Certificate record; later records are complete",
		make: func(p *pki) (*capture, error) {
			label := "tls12-midstream"
			n := defaultNet()
			n.clientPort = 51650
			res, err := connSpec{
				label:  label,
				client: tls12Client(p, label),
				server: serverConfig(p, label, rsaPKCS1(p.cert("rsa", true))),
				tcp:    tcpOpts{mss: 536},
				net:    n,
				base:   base,
				edit: func(f *flow) []seg {
					return f.segs[dataSeg(f.segs, 1, 1):]
				},
				check: wantVersion(tls.VersionTLS12),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcapng, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls13-sll2.pcap",
		desc: "TLS 1.3 with LINKTYPE_LINUX_SLL2 (276) headers (written by hand), as `tcpdump -i any` records; Ed25519 leaf",
		make: func(p *pki) (*capture, error) {
			label := "tls13-sll2"
			n := defaultNet()
			n.clientPort = 51660
			n.link = layers.LinkTypeLinuxSLL2
			res, err := connSpec{
				label:  label,
				client: clientConfig(p, label),
				server: serverConfig(p, label, p.cert("ed25519", true)),
				net:    n,
				base:   base,
				check:  wantVersion(tls.VersionTLS13),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeLinuxSLL2, res), nil
		},
	},
	{
		file: "tls12-vlan.pcap",
		desc: "802.1Q VLAN 100, server port 8443; client offers TLS 1.3 but the server caps at TLS 1.2 (ECDHE-ECDSA, ECDSA leaf + intermediate)",
		make: func(p *pki) (*capture, error) {
			label := "tls12-vlan"
			n := defaultNet()
			n.clientPort = 51670
			n.serverPort = 8443
			n.vlans = []uint16{100}
			s := serverConfig(p, label, p.cert("ecdsa", true))
			s.MaxVersion = tls.VersionTLS12
			res, err := connSpec{
				label:  label,
				client: clientConfig(p, label),
				server: s,
				net:    n,
				base:   base,
				check:  wantVersion(tls.VersionTLS12),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls12-qinq.pcap",
		desc: "QinQ: 802.1ad outer tag 200, 802.1Q inner tag 100; TLS 1.2 RSA",
		make: func(p *pki) (*capture, error) {
			label := "tls12-qinq"
			n := defaultNet()
			n.clientPort = 51675
			n.vlans = []uint16{200, 100}
			res, err := connSpec{
				label:  label,
				client: tls12Client(p, label),
				server: serverConfig(p, label, rsaPKCS1(p.cert("rsa", true))),
				net:    n,
				base:   base,
				check:  wantVersion(tls.VersionTLS12),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls13-ipv6.pcap",
		desc: "TLS 1.3 over IPv6 (2001:db8::2 -> [2001:db8::1]:443), Ed25519 leaf; consecutive writes coalesced, so the client's CCS, Finished and request share one segment; nanosecond pcap",
		make: func(p *pki) (*capture, error) {
			label := "tls13-ipv6"
			n := defaultNet()
			n.ipv6 = true
			n.clientIP, n.serverIP = v6("2001:db8::2"), v6("2001:db8::1")
			n.clientPort = 51680
			res, err := connSpec{
				label:  label,
				client: clientConfig(p, label),
				server: serverConfig(p, label, p.cert("ed25519", true)),
				tcp:    tcpOpts{coalesce: true},
				net:    n,
				base:   base,
				check: all(wantVersion(tls.VersionTLS13), func(r *connResult) error {
					// The client's CCS, Finished and request share a segment.
					if k := len(records(r.segs[dataSeg(r.segs, 0, 1)].data)); k < 3 {
						return fmt.Errorf("second client segment holds %d records, want 3", k)
					}
					return nil
				}),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcapNs, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls13-bsd-null.pcap",
		desc: "BSD loopback (LINKTYPE_NULL) link layer, 127.0.0.1, server port 8443, TLS 1.3",
		make: func(p *pki) (*capture, error) {
			label := "tls13-bsd-null"
			n := defaultNet()
			n.link = layers.LinkTypeNull
			n.clientIP, n.serverIP = net.IPv4(127, 0, 0, 1).To4(), net.IPv4(127, 0, 0, 1).To4()
			n.clientPort, n.serverPort = 51690, 8443
			res, err := connSpec{
				label:  label,
				client: clientConfig(p, label),
				server: serverConfig(p, label, p.cert("ecdsa", true)),
				net:    n,
				base:   base,
				check:  wantVersion(tls.VersionTLS13),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeNull, res), nil
		},
	},
	{
		file: "two-interfaces.pcapng",
		desc: "pcapng with two interfaces: eth0 (Ethernet) carries ARP, a DNS query/answer (UDP) and a TLS 1.3 connection; tun0 (raw IP) carries an interleaved TLS 1.2 connection to port 4433",
		make: twoInterfaces,
	},
	{
		file: "truncated.pcap",
		desc: "TLS 1.3 capture cut short like a killed tcpdump: ends in the middle of the server's application-data packet (the last packet record is incomplete)",
		make: func(p *pki) (*capture, error) {
			label := "truncated"
			n := defaultNet()
			n.clientPort = 51700
			res, err := connSpec{
				label:  label,
				client: clientConfig(p, label),
				server: serverConfig(p, label, p.cert("ecdsa", true)),
				net:    n,
				base:   base,
				edit: func(f *flow) []seg {
					// Keep everything up to the server's response: the
					// last server data segment before the client's FIN.
					fin := -1
					for i, s := range f.segs {
						if s.dir == 0 && s.flags&fFIN != 0 {
							fin = i
							break
						}
					}
					for i := fin; i >= 0; i-- {
						if f.segs[i].dir == 1 && f.segs[i].isData() {
							return f.segs[:i+1]
						}
					}
					panic("no server data")
				},
				check: wantVersion(tls.VersionTLS13),
			}.run()
			if err != nil {
				return nil, err
			}
			c := single(fmtPcap, layers.LinkTypeEthernet, res)
			c.truncate = 40
			return c, nil
		},
	},
	{
		file: "tls13-hrr.pcap",
		desc: "TLS 1.3 HelloRetryRequest: client prefers X25519 and sends only that key share; server accepts only P-256, asks again; second ClientHello carries a P-256 share",
		make: func(p *pki) (*capture, error) {
			label := "tls13-hrr"
			n := defaultNet()
			n.clientPort = 51710
			s := serverConfig(p, label, p.cert("ecdsa", true))
			s.CurvePreferences = []tls.CurveID{tls.CurveP256}
			res, err := connSpec{
				label:  label,
				client: clientConfig(p, label),
				server: s,
				net:    n,
				base:   base,
				check: all(wantVersion(tls.VersionTLS13), func(r *connResult) error {
					b := firstWrite(r, 1)
					if len(b) < 43 || !bytes.Equal(b[11:43], hrrRandom) {
						return fmt.Errorf("first server message is not a HelloRetryRequest")
					}
					if r.conv.client.CurveID != tls.CurveP256 {
						return fmt.Errorf("group %v, want P-256", r.conv.client.CurveID)
					}
					return nil
				}),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls-alert-version.pcap",
		desc: "client offers only TLS 1.0-1.1, server requires TLS 1.2+: server answers the ClientHello with a fatal protocol_version (70) alert; no ServerHello",
		make: func(p *pki) (*capture, error) {
			label := "tls-alert-version"
			n := defaultNet()
			n.clientPort = 51720
			c := clientConfig(p, label)
			c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS11
			s := serverConfig(p, label, p.cert("rsa", true))
			s.MinVersion = tls.VersionTLS12
			res, err := connSpec{
				label:    label,
				client:   c,
				server:   s,
				net:      n,
				base:     base,
				wantFail: true,
				check:    wantAlert(1, 70),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls-alert-nocipher.pcap",
		desc: "TLS 1.2 with no cipher suite in common: server answers with a fatal handshake_failure (40) alert",
		make: func(p *pki) (*capture, error) {
			label := "tls-alert-nocipher"
			n := defaultNet()
			n.clientPort = 51730
			c := tls12Client(p, label)
			c.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}
			s := serverConfig(p, label, p.cert("rsa", true))
			s.MaxVersion = tls.VersionTLS12
			s.CipherSuites = []uint16{tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256}
			res, err := connSpec{
				label:    label,
				client:   c,
				server:   s,
				net:      n,
				base:     base,
				wantFail: true,
				check:    wantAlert(1, 40),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeEthernet, res), nil
		},
	},
	{
		file: "tls13-resumption.pcap",
		desc: "two TLS 1.3 connections (client ports 51740, 51741): the first gets a NewSessionTicket, the second resumes with it (pre_shared_key + psk_dhe_ke, no Certificate)",
		make: resumption,
	},
	{
		file: "tls12-lost-segment.pcap",
		desc: "TLS 1.2, MSS 536, one server segment inside the Certificate record missing from the capture (capture loss, never retransmitted): a gap in the server stream",
		make: func(p *pki) (*capture, error) {
			label := "tls12-lost-segment"
			n := defaultNet()
			n.clientPort = 51750
			res, err := connSpec{
				label:  label,
				client: tls12Client(p, label),
				server: serverConfig(p, label, rsaPKCS1(p.cert("rsa", true))),
				tcp:    tcpOpts{mss: 536},
				net:    n,
				base:   base,
				edit: func(f *flow) []seg {
					return removeAt(append([]seg(nil), f.segs...), dataSeg(f.segs, 1, 2))
				},
				check: wantVersion(tls.VersionTLS12),
			}.run()
			if err != nil {
				return nil, err
			}
			return single(fmtPcap, layers.LinkTypeEthernet, res), nil
		},
	},
}

func resumption(p *pki) (*capture, error) {
	label := "tls13-resumption"
	cache := tls.NewLRUClientSessionCache(4)
	c1 := clientConfig(p, label+"/1")
	c1.ClientSessionCache = cache
	c2 := clientConfig(p, label+"/2")
	c2.ClientSessionCache = cache
	s1 := serverConfig(p, label+"/1", p.cert("ecdsa", true))
	s2 := serverConfig(p, label+"/2", p.cert("ecdsa", true))
	n1 := defaultNet()
	n1.clientPort = 51740
	r1, err := connSpec{label: label + "/1", client: c1, server: s1, net: n1, base: base,
		check: all(wantVersion(tls.VersionTLS13), func(r *connResult) error {
			if r.conv.client.DidResume {
				return fmt.Errorf("first connection resumed")
			}
			return nil
		})}.run()
	if err != nil {
		return nil, err
	}
	n2 := defaultNet()
	n2.clientPort = 51741
	n2.isnClient, n2.isnServer = 0x33445566, 0x778899aa
	n2.ipIDClient, n2.ipIDServer = n1.ipIDClient+uint16(len(r1.frames)), n1.ipIDServer+uint16(len(r1.frames))
	start := r1.frames[len(r1.frames)-1].t.Add(250 * time.Millisecond)
	r2, err := connSpec{label: label + "/2", client: c2, server: s2, net: n2, base: start,
		check: all(wantVersion(tls.VersionTLS13), func(r *connResult) error {
			if !r.conv.client.DidResume {
				return fmt.Errorf("second connection did not resume")
			}
			return nil
		})}.run()
	if err != nil {
		return nil, err
	}
	cp := single(fmtPcap, layers.LinkTypeEthernet, r1)
	cp.frames = append(cp.frames, r2.frames...)
	return cp, nil
}

func twoInterfaces(p *pki) (*capture, error) {
	label := "two-interfaces"
	nA := defaultNet()
	nA.clientPort = 51760
	t0 := base
	rA, err := connSpec{
		label:  label + "/a",
		client: clientConfig(p, label+"/a"),
		server: serverConfig(p, label+"/a", p.cert("ecdsa", true)),
		net:    nA,
		base:   t0,
		iface:  0,
		check:  wantVersion(tls.VersionTLS13),
	}.run()
	if err != nil {
		return nil, err
	}
	nB := defaultNet()
	nB.link = layers.LinkTypeRaw
	nB.clientIP, nB.serverIP = net.IPv4(192, 168, 7, 2).To4(), net.IPv4(192, 168, 7, 1).To4()
	nB.clientPort, nB.serverPort = 40000, 4433
	nB.isnClient, nB.isnServer = 0x0badcafe, 0x0defaced
	tmB := defaultTiming(t0.Add(2*time.Millisecond + 500*time.Microsecond))
	tmB.turn += 311 * time.Microsecond
	rB, err := connSpec{
		label:  label + "/b",
		client: tls12Client(p, label+"/b"),
		server: serverConfig(p, label+"/b", rsaPKCS1(p.cert("rsa", true))),
		net:    nB,
		base:   tmB.base,
		timing: &tmB,
		iface:  1,
		check:  wantVersion(tls.VersionTLS12),
	}.run()
	if err != nil {
		return nil, err
	}
	extra, err := arpAndDNS(nA, t0.Add(-5*time.Millisecond))
	if err != nil {
		return nil, err
	}
	frames := append(extra, rA.frames...)
	frames = append(frames, rB.frames...)
	return &capture{
		format: fmtPcapng,
		ifaces: []ifaceSpec{
			{link: layers.LinkTypeEthernet, name: "eth0", description: "Ethernet"},
			{link: layers.LinkTypeRaw, name: "tun0", description: "raw IP tunnel"},
		},
		frames:  frames,
		comment: "padlock sample: two interfaces, non-TCP packets count as frames",
	}, nil
}

// arpAndDNS makes an ARP request/reply and a DNS query/answer for
// example.com on the Ethernet interface.
func arpAndDNS(n netOpts, t time.Time) ([]frame, error) {
	bcast := net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	arpReq, err := serializeLayers(nil,
		&layers.Ethernet{SrcMAC: n.clientMAC, DstMAC: bcast, EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: layers.ARPRequest, SourceHwAddress: n.clientMAC, SourceProtAddress: n.clientIP,
			DstHwAddress: make([]byte, 6), DstProtAddress: n.serverIP})
	if err != nil {
		return nil, err
	}
	arpRep, err := serializeLayers(nil,
		&layers.Ethernet{SrcMAC: n.serverMAC, DstMAC: n.clientMAC, EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: layers.ARPReply, SourceHwAddress: n.serverMAC, SourceProtAddress: n.serverIP,
			DstHwAddress: n.clientMAC, DstProtAddress: n.clientIP})
	if err != nil {
		return nil, err
	}
	// Ethernet frames shorter than 60 bytes are padded on the wire.
	for len(arpReq) < 60 {
		arpReq = append(arpReq, 0)
	}
	for len(arpRep) < 60 {
		arpRep = append(arpRep, 0)
	}
	dnsIP := net.IPv4(10, 0, 0, 53).To4()
	q := layers.DNSQuestion{Name: []byte("example.com"), Type: layers.DNSTypeA, Class: layers.DNSClassIN}
	dnsPkt := func(src, dst net.IP, sport, dport uint16, dns *layers.DNS, id uint16) ([]byte, error) {
		srcMAC, dstMAC := n.clientMAC, n.serverMAC
		if sport == 53 {
			srcMAC, dstMAC = dstMAC, srcMAC
		}
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Id: id, Protocol: layers.IPProtocolUDP, SrcIP: src, DstIP: dst}
		udp := &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
		if err := udp.SetNetworkLayerForChecksum(ip); err != nil {
			return nil, err
		}
		return serializeLayers(nil, &layers.Ethernet{SrcMAC: srcMAC, DstMAC: dstMAC, EthernetType: layers.EthernetTypeIPv4}, ip, udp, dns)
	}
	query, err := dnsPkt(n.clientIP, dnsIP, 53535, 53, &layers.DNS{ID: 0x5a5a, RD: true, Questions: []layers.DNSQuestion{q}}, 0x0fff)
	if err != nil {
		return nil, err
	}
	answer, err := dnsPkt(dnsIP, n.clientIP, 53, 53535, &layers.DNS{ID: 0x5a5a, QR: true, RD: true, RA: true, Questions: []layers.DNSQuestion{q},
		Answers: []layers.DNSResourceRecord{{Name: []byte("example.com"), Type: layers.DNSTypeA, Class: layers.DNSClassIN, TTL: 300, IP: n.serverIP}}}, 0x4000)
	if err != nil {
		return nil, err
	}
	step := 400 * time.Microsecond
	return []frame{
		{t: t, data: arpReq},
		{t: t.Add(step), data: arpRep},
		{t: t.Add(2 * step), data: query},
		{t: t.Add(3 * step), data: answer},
	}, nil
}
