package main

import (
	"github.com/padlock-tls/padlock/reassembly"
	"github.com/padlock-tls/padlock/report"
)

// handler is the builder as the tracker sees it, telling the tracker when
// the bytes of application_data records are of no use: with no key
// material (no --keylog, no SSLKEYLOGFILE, no pcapng decryption secrets
// seen so far) nothing decrypts them, so they cost only a walk of the
// record headers (reassembly.AppDataFilter).
type handler struct {
	*report.Builder
	keys *keySources
}

// WantAppData implements reassembly.AppDataFilter.
func (h handler) WantAppData(*reassembly.Conn) bool {
	return h.keys != nil && !h.keys.Empty()
}
