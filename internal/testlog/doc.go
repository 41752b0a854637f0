// Package testlog is a log sink for tests: a buffer that concurrent writers (a server's goroutines, a logger
// shared by requests) can write while the test reads it. Test code only; it imports nothing of the project.
package testlog
