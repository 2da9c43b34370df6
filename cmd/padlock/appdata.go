package main

import (
	"github.com/padlock-tls/padlock/reassembly"
	"github.com/padlock-tls/padlock/report"
)

// handler is the builder as the tracker sees it. It tells the tracker when
// the bytes of application_data records are of no use: with no key
// material (no --keylog, no SSLKEYLOGFILE, no pcapng decryption secrets
// seen so far) nothing decrypts them, so they cost only a walk of the
// record headers (reassembly.AppDataFilter). It also counts for --stats.
type handler struct {
	*report.Builder
	keys *keySources

	skipped int // application_data records walked without their bytes
	evicted int // connections ended by the idle timeout or a cap
	capped  int // out-of-order buffer caps hit
}

// WantAppData implements reassembly.AppDataFilter.
func (h *handler) WantAppData(*reassembly.Conn) bool {
	return h.keys != nil && !h.keys.Empty()
}

func (h *handler) Record(c *reassembly.Conn, r *reassembly.Record) {
	if r.Skipped {
		h.skipped++
	}
	h.Builder.Record(c, r)
}

func (h *handler) Problem(c *reassembly.Conn, p reassembly.Problem) {
	if p.Code == reassembly.CodeStreamCapReached {
		h.capped++
	}
	h.Builder.Problem(c, p)
}

func (h *handler) Done(c *reassembly.Conn) {
	if c.Evicted {
		h.evicted++
	}
	h.Builder.Done(c)
}
