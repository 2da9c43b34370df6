//go:build !linux && !libpcap

package capture

import (
	"errors"
	"runtime"

	"github.com/gopacket/gopacket/layers"
)

// Without cgo, live capture is implemented for Linux only; elsewhere a
// build with -tags libpcap captures through libpcap.

const anySupported = false

var errNoLive = errors.New("capture: live capture on " + runtime.GOOS + " needs a build with -tags libpcap (cgo and libpcap); this build reads capture files only")

// LiveSource reads packets from a network interface.
type LiveSource struct{}

// OpenLive fails: see errNoLive.
func OpenLive(o LiveOptions) (*LiveSource, error) { return nil, errNoLive }

func (s *LiveSource) Interface() string         { return "" }
func (s *LiveSource) LinkType() layers.LinkType { return 0 }
func (s *LiveSource) Snaplen() int              { return 0 }
func (s *LiveSource) Method() string            { return "" }
func (s *LiveSource) Next() (Packet, error)     { return Packet{}, errNoLive }
func (s *LiveSource) Stop()                     {}
func (s *LiveSource) Stats() LiveStats          { return LiveStats{} }
func (s *LiveSource) Close() error              { return nil }
