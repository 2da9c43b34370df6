//go:build !libpcap

package capture

import (
	"fmt"
	"net"
)

// systemInterfaces lists the interfaces the operating system has.
func systemInterfaces() ([]Interface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, fmt.Errorf("capture: listing interfaces: %v", err)
	}
	var list []Interface
	for _, ni := range ifs {
		list = append(list, Interface{
			Name:     ni.Name,
			Up:       ni.Flags&net.FlagUp != 0,
			Running:  ni.Flags&net.FlagRunning != 0,
			Loopback: ni.Flags&net.FlagLoopback != 0,
		})
	}
	return list, nil
}
