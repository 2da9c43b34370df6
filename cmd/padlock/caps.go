package main

import (
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/padlock-tls/padlock/dissect"
	"github.com/padlock-tls/padlock/reassembly"
)

// recoverPanics makes process turn a panic while building one connection's
// report into an internal_error entry on that connection (report.Builder's
// Recover), so one bad connection never costs the others. Fuzz targets
// turn it off so that bugs surface as crashes.
var recoverPanics = true

// capOptions are the --max-* flags: the caps that bound memory on hostile
// input (README, "Hostile input"). Caps without a flag are constants of
// their package: a record body (2^14+2048 bytes, reassembly) and a
// decompressed certificate chain (1 MiB, dissect).
type capOptions struct {
	maxFlows        int
	maxPagesPerFlow int
	maxPages        int
	maxHeld         int
	maxMessage      int
	maxCerts        int
}

// addCapFlags registers the --max-* flags.
func addCapFlags(fs *pflag.FlagSet, c *capOptions) {
	d := reassembly.DefaultOptions
	fs.IntVar(&c.maxFlows, "max-flows", d.MaxFlows, "follow at most `N` TCP connections at once; when full, connections idle\nfor 10 s are closed, else new ones are not followed (0: no cap)")
	fs.IntVar(&c.maxPagesPerFlow, "max-ooo-pages-per-flow", d.MaxPagesPerConn, "buffer at most `N` pages (1900 bytes each) of out-of-order data per connection")
	fs.IntVar(&c.maxPages, "max-ooo-pages", d.MaxPagesTotal, "buffer at most `N` pages (1900 bytes each) of out-of-order data in all")
	fs.IntVar(&c.maxMessage, "max-handshake-size", dissect.DefaultMaxMessage, "skip (and report) a handshake message longer than `BYTES` instead of buffering it")
	fs.IntVar(&c.maxCerts, "max-certificates", 64, "parse at most `N` certificates of a chain; the rest are counted")
	fs.IntVar(&c.maxHeld, "max-held", d.MaxHeld, "hold at most `N` reports of ended connections while an earlier connection\nis still open (reports come in order of first packet); past that, that\nconnection's report is written when it ends (0: no cap)")
}

// check validates the caps after parsing.
func (c capOptions) check() error {
	switch {
	case c.maxFlows < 0:
		return fmt.Errorf("invalid --max-flows %d: it must be >= 0", c.maxFlows)
	case c.maxPagesPerFlow < 1:
		return fmt.Errorf("invalid --max-ooo-pages-per-flow %d: it must be >= 1", c.maxPagesPerFlow)
	case c.maxMessage < 1:
		return fmt.Errorf("invalid --max-handshake-size %d: it must be >= 1", c.maxMessage)
	case c.maxCerts < 1:
		return fmt.Errorf("invalid --max-certificates %d: it must be >= 1", c.maxCerts)
	case c.maxHeld < 0:
		return fmt.Errorf("invalid --max-held %d: it must be >= 0", c.maxHeld)
	case c.maxPages < c.maxPagesPerFlow:
		return fmt.Errorf("invalid --max-ooo-pages %d: it must be >= --max-ooo-pages-per-flow (%d)", c.maxPages, c.maxPagesPerFlow)
	}
	return nil
}

// apply sets the caps on the tracker's options.
func (c capOptions) apply(o *reassembly.Options) {
	o.MaxFlows = c.maxFlows
	o.MaxPagesPerConn = c.maxPagesPerFlow
	o.MaxPagesTotal = c.maxPages
	o.MaxHeld = c.maxHeld
}

// capWarnings tells on stderr what a cap cost: file-level damage that no
// connection's errors can show.
func capWarnings(st reassembly.Stats, c capOptions, stderr io.Writer) {
	if st.RefusedSegments > 0 {
		fmt.Fprintf(stderr, "padlock: warning: flow table full (--max-flows %d): %d segments of %d new connections were not followed\n",
			c.maxFlows, st.RefusedSegments, st.RefusedFlows)
	}
	if st.Unordered > 0 {
		fmt.Fprintf(stderr, "padlock: warning: %d connections stayed open while more than %d later reports waited (--max-held): their reports come out of first-packet order\n",
			st.Unordered, c.maxHeld)
	}
}
