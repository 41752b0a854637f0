//go:build !wasip1

package guest

// LogHook receives Log's messages when the plugin runs on the host (in its unit tests); nil drops them.
var LogHook func(level Level, msg string)

// Log writes msg to the host's log at level; on the host, to LogHook.
func Log(level Level, msg string) {
	if LogHook != nil {
		LogHook(level, msg)
	}
}
