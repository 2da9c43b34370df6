//go:build !unix

package capture

import (
	"errors"
	"runtime"
)

// DropPrivileges is tcpdump -Z, which has no meaning on this system.
func DropPrivileges(user string) error {
	return errors.New("capture: -Z (switching user) is not supported on " + runtime.GOOS)
}
