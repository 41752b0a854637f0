package guest

// Level is a log level of assentry.log.
type Level int32

// Log levels, as the host reads them.
const (
	LevelDebug Level = 0
	LevelInfo  Level = 1
	LevelWarn  Level = 2
	LevelError Level = 3
)
